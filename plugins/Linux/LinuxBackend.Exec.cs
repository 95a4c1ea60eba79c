using System.Diagnostics;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Process;
using Hull.Plugins.Linux.Seccomp;
using Hull.Plugins.Linux.Security;
using Hull.Plugins.Linux.State;
using Hull.Plugins.Linux.Terminal;
using Status = Hull.Plugins.Linux.State.Status;

namespace Hull.Plugins.Linux;

/// <summary>
/// exec and ps. exec's process is hull-init again (sealed, as the init's), whose C bootstrap joins
/// every namespace of the container by the init's /proc/PID/ns links after entering the
/// container's cgroups, then its managed part becomes the process (<see cref="ExecInit"/>) with the
/// container's capabilities, rlimits and seccomp filter unless the exec overrides them.
/// </summary>
internal sealed partial class LinuxBackend
{
    public override int Exec(ExecRequest request)
    {
        var record = ExecTarget(request.Id, request.IgnorePaused);
        // exec passes --preserve-fds only: socket activation (LISTEN_FDS) is for the container's init.
        var fds = PassedFds.From(request.PreserveFds, _ => null, Libc.getpid(), fd => Libc.fcntl(fd, Libc.F_GETFD, 0) >= 0);
        using var forwarder = request.Detach ? null : new SignalForwarder();
        // The process is started first, so that .NET starts in it while hull reads the config and
        // checks the request; it runs nothing of the container's until it is sent the process.
        var cgroupPaths = ExecCgroups.Apply(record.CgroupPaths, ExecCgroups.Parse(request.Cgroups));
        // As create's init, the bootstrap enters the cgroups itself, before it joins the namespaces:
        // hull moving it waited for an RCU grace period (5-20 ms on v1). A frozen (paused) cgroup
        // stops it there until resumed, as runc's. Rootless, hull places it (see CreateContainer).
        var selfJoin = !record.RootlessCgroups;
        var boot = new BootstrapData(0, [.. record.NamespacePaths.Select(ns => (NamespaceFlags.Of(ns.Key), ns.Value))], null)
        {
            Cgroups = selfJoin ? CgroupEntry.From(cgroupPaths) : null,
        };
        var child = InitLauncher.Launch(boot, new InitFds(fds.Count),
            writeUserMaps: _ => throw new HullException("exec's process asked for user namespace maps: it joins the container's user namespace, never makes one"),
            placeInCgroup: null);
        ConsoleSocket? socket = null;
        ForegroundConsole? foreground = null;
        try
        {
            try
            {
                var config = Store.LoadConfig(request.Id);
                var process = ExecProcess.Resolve(request, config, File.ReadAllText);
                new LsmLabels(process.ApparmorProfile, process.SelinuxLabel).Validate(LsmHost.Real, mountLabel: null,
                    (request.AppArmorProfile is null ? "process.apparmorProfile" : "--apparmor", request.ProcessLabel is null ? "process.selinuxLabel" : "--process-label"));
                var mode = ConsoleModes.Decide(process.Terminal, request.ConsoleSocket, request.Detach);
                var filter = SeccompCompiler.Compile(config.Linux?.Seccomp, Context.Log);
                if (mode == ConsoleMode.Socket) socket = ConsoleSocket.Connect(request.ConsoleSocket!);
                if (mode == ConsoleMode.Foreground) foreground = new ForegroundConsole();

                // Joined by pid: had the init died (and its pid been reused) meanwhile, its start time would differ.
                if (!StatusDerivation.InitAlive(record, Store.Probe)) throw new HullException("cannot exec in a stopped container");
                // Rootless: after the bootstrap, before it is sent anything to run (moving into a v1
                // cgroup waits for an RCU grace period, which then overlaps its start-up).
                if (!selfJoin) CgroupManagers.Open(cgroupPaths, record.RootlessCgroups).AddProcess(child.Pid);
                var options = new ExecOptions
                {
                    Id = record.Id,
                    PassedFds = fds.Count,
                    NoNewKeyring = record.NoNewKeyring,
                    RootlessEuid = record.RootlessEuid,
                    Seccomp = filter,
                };
                child.Channel.Send(SyncMessage.ExecOptions, InitMessages.Encode(options));
                child.Channel.Send(SyncMessage.Spec, InitMessages.EncodeExecProcess(config.OciVersion, process));
                var requests = new SetupRequests(Context.Log.Warn, (IConsoleReceiver?)socket ?? foreground, config.Linux?.Seccomp,
                    pid => new ContainerProcessState
                    {
                        Pid = pid,
                        Metadata = config.Linux?.Seccomp?.ListenerMetadata,
                        State = new RuntimeState { Id = record.Id, Status = ContainerStatus.Running, Pid = record.InitPid, Bundle = record.Bundle, Annotations = record.Annotations },
                    });
                // The channel closes (close-on-exec) once the process has exec'd; until then it may ask.
                while (child.Channel.Receive() is { } frame)
                    if (!requests.Handle(child.Channel, frame, child.Pid))
                        throw new HullException($"exec's process sent {frame.Type}");
            }
            catch
            {
                child.Abort();
                throw;
            }
            finally
            {
                child.Dispose();
            }

            if (request.PidFile is { } pidFile) WritePidFile(pidFile, child.Pid);
            if (request.Detach) return 0;
            forwarder!.Forward(child.Pid);
            if (foreground is not null)
            {
                forwarder.OnWindowChange(foreground.Resize);
                foreground.Attach();
            }
            // exec's process is our child (bootstrap.c clones it with CLONE_PARENT): its status is ours.
            var status = ProcessWaiter.Wait(child.Pid);
            return status is { } s ? ProcessWaiter.ExitCode(s) : 255;
        }
        finally
        {
            foreground?.Dispose();
            socket?.Dispose();
        }
    }

    /// <summary>The container exec joins: running or created (as runc 1.1, which runs the process
    /// before start), paused only with --ignore-paused; runc's refusals otherwise. The lock is not
    /// held while the process runs: it may be long, and a paused container must stay resumable.</summary>
    ContainerRecord ExecTarget(string id, bool ignorePaused)
    {
        using var handle = Store.Lock(id);
        if (handle.Status is Status.Paused or Status.Pausing)
        {
            if (!ignorePaused) throw new HullException("cannot exec in a paused container (use --ignore-paused to override)");
        }
        else
        {
            handle.Require(Operation.Exec);
        }
        return handle.Record;
    }

    public override IReadOnlyList<int> Pids(string id) =>
        Store.Apply(id, Operation.Ps, (handle, _) =>
        {
            var cgroup = OpenCgroup(handle.Record);
            return handle.Status == Status.Stopped && !cgroup.Exists() ? [] : cgroup.GetPids();
        });

    /// <summary>
    /// runc's ps: the host's `ps` with the given options, its header, and the lines whose PID column
    /// is one of the container's processes.
    /// </summary>
    public override string ProcessTable(PsRequest request)
    {
        var pids = Pids(request.Id).ToHashSet();
        return ProcessTableFilter.Filter(RunPs(request.PsArgs), pids);
    }

    static string RunPs(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo("ps")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        System.Diagnostics.Process ps;
        try
        {
            ps = System.Diagnostics.Process.Start(psi) ?? throw new HullException("cannot run ps");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HullException($"cannot run ps: {e.Message}: install procps");
        }
        using (ps)
        {
            var stderr = ps.StandardError.ReadToEndAsync();
            var stdout = ps.StandardOutput.ReadToEnd();
            ps.WaitForExit();
            if (ps.ExitCode != 0)
                throw new HullException($"exit status {ps.ExitCode}: {stdout}{stderr.Result}");
            return stdout;
        }
    }
}
