using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Checkpoint;
using Hull.Plugins.Linux.Hooks;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Process;
using Hull.Plugins.Linux.Rootfs;
using Hull.Plugins.Linux.State;
using Hull.Plugins.Linux.Terminal;
using Status = Hull.Plugins.Linux.State.Status;

namespace Hull.Plugins.Linux;

/// <summary>
/// checkpoint and restore: the backend's side of the checkpoint plugin (plugins/Criu/README.md).
/// The backend owns the container (state, cgroups, mount points, hooks); the checkpointer only
/// drives CRIU with what <see cref="CheckpointTarget"/> tells it and calls back through
/// <see cref="IRestoreCallbacks"/>.
/// </summary>
internal sealed partial class LinuxBackend
{
    public override void Checkpoint(CheckpointRequest request)
    {
        using (var handle = Store.Lock(request.Id))
        {
            handle.Require(Operation.Checkpoint);
            var checkpointer = Checkpointer();
            var config = Store.LoadConfig(request.Id);
            var record = handle.Record;
            var (target, _) = TargetOf(record.Id, record.Bundle, record.Rootfs, config, record.CgroupPaths, handle.Directory);
            checkpointer.Checkpoint(target with { InitPid = record.InitPid }, request);
            // Still running: nothing to clean up, and nothing to complain about (runc once printed
            // "container is not destroyed" here).
            if (request.LeaveRunning || request.PreDump) return;
        }
        // CRIU ended the processes; what is left is the container's cgroup and state, removed as
        // delete does (poststop hooks included). A `run` waiting for the init may race us to it.
        try
        {
            DeleteContainer(request.Id, force: true);
        }
        catch (ContainerNotFoundException)
        {
        }
    }

    public override int Restore(RestoreRequest request)
    {
        var id = ContainerId.Validate(request.Id);
        if (Directory.Exists(Store.DirectoryOf(id))) throw new ContainerExistsException(id);
        // runc 1.1 accepts the flag on restore and silently uses soft mode instead.
        if (request.ManageCgroupsMode == CgroupsMode.Strict)
            throw new UsageException("--manage-cgroups-mode strict cannot restore a container: CRIU then refuses cgroups that exist, " +
                "and the container's cgroups are made before CRIU restores into them; use soft (the default), full or ignore");
        var checkpointer = Checkpointer();
        var (bundle, _, spec) = ReadBundle(request.Bundle);
        var rootfs = RootfsOf(bundle, spec);
        HookRunner.Validate(spec);
        // A terminal comes back as CRIU's new pty master (orphan-pts-master), which goes where
        // create would send it: the console socket when detached, else hull's own terminal.
        var consoleMode = ConsoleModes.Decide(spec.Process?.Terminal == true, request.ConsoleSocket, request.Detach);
        using var consoleSocket = consoleMode == ConsoleMode.Socket ? ConsoleSocket.Connect(request.ConsoleSocket!) : null;

        // As for run: in the foreground hull is the restored init's parent and waits for it.
        if (!request.Detach && !request.NoSubreaper)
            Libc.Check(Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
        using var forwarder = request.Detach ? null : new SignalForwarder();
        using var foreground = consoleMode == ConsoleMode.Foreground ? new ForegroundConsole() : null;
        var pid = RestoreContainer(id, bundle, rootfs, spec, checkpointer, request, (IConsoleReceiver?)consoleSocket ?? foreground);
        if (request.Detach) return 0;

        // A config with a terminal restoring a checkpoint made without one: no master, nothing to relay.
        var status = WaitInForeground(pid, forwarder!, foreground);
        DeleteContainer(id, force: true);
        return status is { } s ? ProcessWaiter.ExitCode(s) : 255;
    }

    int RestoreContainer(string id, string bundle, string rootfs, Spec spec, ICheckpointer checkpointer, RestoreRequest request,
        IConsoleReceiver? console)
    {
        var rootless = RootlessFacts.Decide(HostIdentity.Current(), Context.Options.Rootless);
        var cgroupConfig = CgroupConfig.FromSpec(spec, id, rootless.RootlessCgroups, Context.Options.SystemdCgroup);
        var cgroup = CgroupManagers.Create(cgroupConfig);
        var draft = new ContainerRecord
        {
            Id = id,
            OciVersion = spec.OciVersion,
            Bundle = bundle,
            Rootfs = rootfs,
            Created = DateTimeOffset.UtcNow,
            Annotations = spec.Annotations,
            RootlessEuid = rootless.RootlessEuid,
            RootlessCgroups = rootless.RootlessCgroups,
        };
        using var handle = Store.Create(draft, spec);
        var restored = new RestoredContainer(this, handle, spec, cgroup, cgroupConfig.Resources!, console);
        try
        {
            var (target, mounts) = TargetOf(id, bundle, rootfs, spec, cgroup.Paths, handle.Directory);
            using (RestoreMountpoints.Prepare(rootfs, mounts.RestoreMountpoints))
            {
                var pid = checkpointer.Restore(target, request, restored);
                if (restored.Pid != pid)
                    throw new HullException($"criu restored pid {pid} but announced {restored.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} after restoring");
            }
            if (request.PidFile is { } pidFile) WritePidFile(pidFile, restored.Pid.Value);
            return restored.Pid.Value;
        }
        catch
        {
            // Whatever CRIU brought back lives in the container's cgroup: killed with it.
            DestroyCgroup(cgroup);
            if (restored.Pid is { } pid) ProcessWaiter.Reap(pid);
            handle.Destroy();
            throw;
        }
    }

    ICheckpointer Checkpointer()
    {
        var checkpointer = Context.Checkpointer()
            ?? throw new HullException("checkpoint/restore need a checkpoint plugin (CRIU), and none is loaded");
        checkpointer.EnsureAvailable();
        return checkpointer;
    }

    /// <summary>What CRIU needs to know about the container (the init pid aside), and the mount plan it came from.</summary>
    static (CheckpointTarget Target, CriuMounts Mounts) TargetOf(string id, string bundle, string rootfs, Spec config,
        IReadOnlyDictionary<string, string> cgroupPaths, string stateDir)
    {
        var mounts = CriuMounts.For(config, rootfs, bundle, cgroupPaths, MountInfo.Parse(File.ReadAllText("/proc/self/mountinfo")));
        var namespaces = (config.Linux?.Namespaces ?? [])
            .Select(ns => new NamespaceInfo(ns.Type, string.IsNullOrEmpty(ns.Path) ? null : ns.Path))
            .ToList();
        var target = new CheckpointTarget(id, bundle, rootfs, config, 0, namespaces, cgroupPaths)
        {
            StateDir = stateDir,
            ExtraBindMounts = mounts.CgroupBinds,
        };
        return (target, mounts);
    }

    /// <summary>
    /// The container being restored, as CRIU's notify points reach it: CRIU is put in its cgroups,
    /// the hooks run as for a new container, and the new init is recorded.
    /// </summary>
    sealed class RestoredContainer(LinuxBackend backend, ContainerHandle handle, Spec spec, ICgroupManager cgroup, LinuxResources resources,
        IConsoleReceiver? console) : IRestoreCallbacks
    {
        /// <summary>The restored init, once CRIU has announced it.</summary>
        public int? Pid { get; private set; }

        public void ApplyCgroups(int criuPid)
        {
            cgroup.Apply(criuPid);
            // The config's resources with the default device rules (CRIU mknods the devices of a tmpfs /dev).
            cgroup.Set(resources);
        }

        public void SetupNamespaces(int initPid)
        {
            var creating = handle.Record with { InitPid = initPid };
            HookRunner.Run(spec, HookPhase.Prestart, creating.ToOciState(Status.Creating));
            HookRunner.Run(spec, HookPhase.CreateRuntime, creating.ToOciState(Status.Creating));
        }

        public void OrphanPtsMaster(int masterFd)
        {
            if (console is null)
                throw new HullException("the checkpointed container had a terminal, but process.terminal is false in the restore's config: " +
                    "set it to true (and pass --console-socket with --detach)");
            // The checkpointer closes its fd when this returns; the console keeps its own.
            var master = Libc.fcntl(masterFd, Libc.F_DUPFD_CLOEXEC, 0);
            if (master < 0) throw new HullException($"keeping the restored terminal: {Libc.Describe(Libc.LastErrno)}");
            console.Accept(master, "orphan-pts-master");
        }

        public void PostRestore(int initPid)
        {
            Pid = initPid;
            var record = handle.Record with
            {
                Status = Status.Running,
                InitPid = initPid,
                InitStartTime = backend.Store.Probe.Stat(initPid)?.StartTime
                    ?? throw new HullException($"the restored init (pid {initPid}) is gone"),
                CgroupPaths = cgroup.Paths,
                NamespacePaths = NamespacePaths(spec, initPid),
            };
            handle.Save(record);
            // As after start: poststart failures are reported, the container keeps running.
            HookRunner.RunWarning(spec, HookPhase.Poststart, record.ToOciState(Status.Running), backend.Context.Log.Warn);
        }
    }
}
