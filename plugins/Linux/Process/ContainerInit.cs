using System.Text;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Hooks;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Security;
using Hull.Plugins.Linux.Setup;
using Hull.Plugins.Linux.Terminal;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// hull-init's managed part, run by its Main once bootstrap.c has put it in the container's
/// namespaces: the container's init (sent a config), or exec's process (sent <see cref="ExecOptions"/>,
/// see <see cref="ExecInit"/>). The init, on the main thread (the one that calls execve:
/// capabilities, no_new_privs and seccomp are per-thread), sets the container up in runc's order,
/// reports ready, waits on the exec fifo for `start`, then becomes the container's process.
/// </summary>
public static class ContainerInit
{
    /// <summary>hull-init's entry. <paramref name="bootFd"/> is the socket to hull, or -1 when run by hand.</summary>
    public static int Run(int bootFd)
    {
        if (bootFd < 0)
        {
            Console.Error.WriteLine($"{InitBinary.FileName}: this is the init of hull's containers and is started by hull only");
            return 1;
        }
        var channel = new SyncChannel(bootFd);
        try
        {
            // A session of its own, as runc's: the container is not in the caller's process group
            // (Ctrl-C at the caller's terminal reaches hull, which forwards it), a pty can become
            // its controlling terminal, and it owns its whole process tree (CRIU refuses to dump a
            // tree whose session leader is outside it, without --shell-job).
            if (Libc.setsid() < 0) throw new HullException($"setsid: {Libc.Describe(Libc.LastErrno)}");
            var first = channel.Receive() ?? throw new HullException("hull exited before sending the process to run");
            return first.Type == SyncMessage.ExecOptions
                ? ExecInit.Run(channel, first.Payload)
                : Create(channel, first.Type == SyncMessage.Spec ? first.Payload : throw new HullException($"hull sent {first.Type} first"));
        }
        catch (Exception e)
        {
            ReportFailure(channel, e);
            return 1;
        }
        finally
        {
            channel.Dispose();
        }
    }

    /// <summary>Anything that goes wrong before the process runs is hull's error to print (create's or exec's).</summary>
    internal static void ReportFailure(SyncChannel channel, Exception e)
    {
        try { channel.Send(SyncMessage.Error, "unable to start container process: " + e.Message); }
        catch (HullException) { Console.Error.WriteLine($"{InitBinary.FileName}: {e.Message}"); }
    }

    static int Create(SyncChannel channel, byte[] specJson)
    {
        var spec = OciJson.ParseConfig(specJson);
        var (optionsJson, execFifoFd) = channel.ExpectFd(SyncMessage.Options, "hull");
        var options = InitMessages.DecodeInit(optionsJson);
        var process = spec.Process ?? throw new ConfigException("process is missing", "process");
        var labels = new LsmLabels(process.ApparmorProfile, process.SelinuxLabel);
        // Labels are written through the host's procfs, opened before any container mount exists.
        using var labelProc = labels.Any ? ProcFs.Open() : null;
        string executable;
        IReadOnlyList<string> env;
        ProcessLockdown lockdown;
        using (var setup = InitSetup.Real(warning => channel.Send(SyncMessage.Warning, warning)))
        {
            setup.MountRootfs(spec, options.Bundle, options.Rootfs, options.NoPivot);
            // A round trip to hull only when it has hooks to run here (most configs have none).
            if (HookRunner.Of(spec, HookPhase.Prestart).Count + HookRunner.Of(spec, HookPhase.CreateRuntime).Count > 0)
            {
                channel.Send(SyncMessage.HooksRequest);
                channel.Expect(SyncMessage.HooksDone, "hull");
            }
            setup.RunCreateContainerHooks(spec, HookState(spec, options, ContainerStatus.Creating), options.Rootfs);
            if (process.Terminal)
            {
                using var pty = ContainerPty.Open(options.Rootfs, process.ConsoleSize);
                setup.BindConsole(pty.Slave);
                pty.SendMaster(channel);
                pty.BecomeStdio();
            }
            setup.EnterRootfs();
            DevNullStdio.Reopen();
            setup.ConfigureContainer(spec);
            if (!options.NoNewKeyring) SessionKeyring.Join(options.Id);
            RaiseHardLimits(process.Rlimits, Ops);
            if (labelProc is not null) labels.ApplySelinux(labelProc);
            lockdown = new ProcessLockdown(options.Seccomp, process, channel, Ops);
            var user = setup.BecomeContainerProcess(spec, options.RootlessEuid, lockdown.HeldCapabilities);
            if (labelProc is not null) labels.ApplyAppArmor(labelProc);
            env = ProcessSetup.WithHome([.. process.Env ?? [], .. options.ExtraEnv], user);
            EnterCwd(process.Cwd);
            executable = ExecutableLookup.Real.Find(process.Args![0], env);
            // The notify fd must reach hull while `create` still listens.
            if (options.Seccomp?.HasListener == true) lockdown.Apply();
        }
        channel.Send(SyncMessage.Ready);
        channel.Dispose();

        try
        {
            ExecFifo.WaitForStart(execFifoFd);
            InitSetup.RunStartContainerHooks(spec, HookState(spec, options, ContainerStatus.Created));
            lockdown.Exec(executable, process.Args!, env, keepFds: 3 + options.PassedFds);
        }
        catch (Exception e)
        {
            // After create returned, the only place to say what failed is the container's stderr.
            Console.Error.WriteLine($"{InitBinary.FileName}: {e.Message}");
        }
        return 1;
    }

    internal static readonly LibcProcessOps Ops = new();

    /// <summary>
    /// A hard limit above the current one needs CAP_SYS_RESOURCE, which the init gives up with the
    /// container's capabilities; so those are raised now, while it still has them (the soft limit
    /// kept), and every limit is set exactly right before execve.
    /// </summary>
    internal static void RaiseHardLimits(IReadOnlyList<PosixRlimit>? rlimits, IProcessOps ops)
    {
        foreach (var r in rlimits ?? [])
        {
            var resource = Rlimits.Resource(r.Type);
            if (ops.GetRlimit(0, resource) is not { } current || r.Hard <= current.Hard) continue;
            var errno = ops.SetRlimit(0, resource, Math.Min(current.Soft, r.Hard), r.Hard);
            if (errno != 0)
                throw new HullException($"error setting rlimit {r.Type} (hard {r.Hard}): {SyscallException.Describe(errno)}: the hard limit can only be raised above the current {current.Hard} with CAP_SYS_RESOURCE");
        }
    }

    /// <summary>The state the in-container hooks get: pid as the container sees its init.</summary>
    static ContainerState HookState(Spec spec, InitOptions options, string status) => new()
    {
        OciVersion = spec.OciVersion,
        Id = options.Id,
        Pid = Environment.ProcessId,
        Status = status,
        Bundle = options.Bundle,
        Rootfs = options.Rootfs,
        Annotations = spec.Annotations,
    };

    /// <summary>chdir to process.cwd as the container's user, and refuse a cwd that ended up
    /// outside the container's root (a leaked host fd via /proc/self/fd, CVE-2024-21626).</summary>
    internal static unsafe void EnterCwd(string cwd)
    {
        if (!cwd.StartsWith('/'))
            throw new ConfigException($"cwd \"{cwd}\" is not an absolute path", "process.cwd");
        if (Libc.chdir(cwd) != 0)
            throw new HullException($"chdir to cwd (\"{cwd}\") set in config.json failed: {Libc.Describe(Libc.LastErrno)}");
        // getcwd fails (or says "(unreachable)") when the directory is not under our root.
        var buf = stackalloc byte[4096];
        if (Libc.getcwd(buf, 4096) == null || buf[0] != (byte)'/')
            throw new HullException("current working directory is outside of container mount namespace root -- possible container breakout detected");
    }
}
