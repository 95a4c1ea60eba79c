using System.Text;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Setup;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The container's init, run by hull-init's Main once bootstrap.c has put it in the container's
/// namespaces. On the main thread (the one that calls execve: capabilities and no_new_privs are
/// per-thread) it sets the container up in runc's order, reports ready, waits on the exec fifo
/// for `start`, then becomes the container's process with execve.
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
        Spec spec;
        InitOptions options;
        string executable;
        IReadOnlyList<string> env;
        try
        {
            // A session of its own, as runc's: the container owns its whole process tree (CRIU
            // refuses to dump a tree whose session leader is outside it, without --shell-job).
            if (Libc.setsid() < 0) throw new HullException($"setsid: {Libc.Describe(Libc.LastErrno)}");
            spec = OciJson.ParseConfig(Encoding.UTF8.GetString(channel.Expect(SyncMessage.Spec, "hull")));
            options = JsonSerializer.Deserialize(channel.Expect(SyncMessage.Options, "hull"), InitJson.Default.InitOptions)
                ?? throw new HullException("empty init options");
            var process = spec.Process ?? throw new ConfigException("process is missing", "process");
            using var setup = InitSetup.Real(warning => channel.Send(SyncMessage.Warning, warning));

            setup.MountRootfs(spec, options.Bundle, options.Rootfs, options.NoPivot);
            channel.Send(SyncMessage.HooksRequest);
            channel.Expect(SyncMessage.HooksDone, "hull");
            setup.RunCreateContainerHooks(spec, HookState(spec, options, ContainerStatus.Creating), options.Rootfs);
            setup.EnterRootfs();
            DevNullStdio.Reopen();
            setup.ConfigureContainer(spec);
            if (!options.NoNewKeyring) SessionKeyring.Join(options.Id);
            RaiseHardLimits(process.Rlimits, Ops);
            var user = setup.BecomeContainerProcess(spec, options.RootlessEuid);
            env = ProcessSetup.WithHome([.. process.Env ?? [], .. options.ExtraEnv], user);
            EnterCwd(process.Cwd);
            executable = ExecutableLookup.Real.Find(process.Args![0], env);
            channel.Send(SyncMessage.Ready);
        }
        catch (Exception e)
        {
            // Anything that goes wrong before ready is create's error: hull prints it and cleans up.
            try { channel.Send(SyncMessage.Error, "unable to start container process: " + e.Message); }
            catch (HullException) { Console.Error.WriteLine($"{InitBinary.FileName}: {e.Message}"); }
            return 1;
        }
        finally
        {
            channel.Dispose();
        }

        try
        {
            ExecFifo.WaitForStart(options.ExecFifoFd);
            InitSetup.RunStartContainerHooks(spec, HookState(spec, options, ContainerStatus.Created));
            // The exact limits last, so the init's own work never runs under the container's.
            Rlimits.Apply(spec.Process!.Rlimits, 0, Ops);
            Exec.Replace(executable, spec.Process!.Args!, env, keepFds: 3 + options.PassedFds);
        }
        catch (Exception e)
        {
            // After create returned, the only place to say what failed is the container's stderr.
            Console.Error.WriteLine($"{InitBinary.FileName}: {e.Message}");
        }
        return 1;
    }

    static readonly LibcProcessOps Ops = new();

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
    static unsafe void EnterCwd(string cwd)
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
