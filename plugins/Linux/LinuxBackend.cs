using System.Text;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Hooks;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Process;
using Hull.Plugins.Linux.Rootless;
using Hull.Plugins.Linux.Seccomp;
using Hull.Plugins.Linux.Security;
using Hull.Plugins.Linux.Setup;
using Hull.Plugins.Linux.State;
using Hull.Plugins.Linux.Terminal;
using Status = Hull.Plugins.Linux.State.Status;

namespace Hull.Plugins.Linux;

/// <summary>
/// The Linux backend's lifecycle: create/start/run/state/list/kill/delete. It sequences the state
/// store (State/), the cgroup manager (Cgroups/), the hooks (Hooks/) and the container's init
/// (Process/: launched by hull-init's C bootstrap, then driven over the sync channel).
/// Other operations live in partial files of their own (LinuxBackend.<Concern>.cs).
/// </summary>
internal sealed partial class LinuxBackend(BackendContext context) : PlatformBackendBase
{
    protected override string BackendName => "linux";
    internal BackendContext Context { get; } = context;

    ContainerStore Store => field ??= ContainerStore.ForCommand(Context.Options.Root);

    public override void Create(CreateRequest request) => CreateContainer(request.Id, request.Bundle, request).Handle.Dispose();

    public override void Start(string id)
    {
        using var handle = Store.Lock(id);
        StartContainer(handle, () => Store.LoadConfigForHooks(id));
    }

    /// <summary>Releases the init (the exec fifo) and runs the poststart hooks, under the lock held.</summary>
    void StartContainer(ContainerHandle locked, Func<Spec> config)
    {
        ContainerStore.Apply(locked, Operation.Start, (handle, _) =>
        {
            var record = handle.Record;
            ExecFifo.Release(record.ExecFifoPath!, () => StatusDerivation.InitAlive(record, Store.Probe));
            // Recorded before the poststart hooks: a hook may ask for the state, and a hull that
            // dies from here on leaves a record delete can act on (run's created record rides with it).
            handle.Save(record with { Status = Status.Running });
            // Poststart failures are reported but the container keeps running, as runc.
            HookRunner.RunWarning(config(), HookPhase.Poststart, record.ToOciState(Status.Running), Context.Log.Warn);
            return 0;
        });
    }

    public override int Run(RunRequest request)
    {
        // As a subreaper hull inherits (and reaps) the container's orphans when it has no PID namespace.
        if (!request.Detach && !request.NoSubreaper)
            Libc.Check(Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
        using var forwarder = request.Detach ? null : new SignalForwarder();
        using var console = request.Detach ? null : new ForegroundConsole();
        // Started under create's lock, still held: no other command can come between, and the
        // record and config need not be read back (a second lock and read cost ~0.5 ms of a run).
        var (handle, spec) = CreateContainer(request.Id, request.Bundle, request, console, startsNext: true);
        var record = handle.Record;
        try
        {
            StartContainer(handle, () => spec);
        }
        catch
        {
            // runc removes a container it could not start, detached or not. Under the lock still
            // held: the record there may not be written yet (it rides with start's save).
            try
            {
                handle.Refresh();
                DeleteLocked(handle, force: true, spec);
            }
            finally
            {
                handle.Dispose();
            }
            throw;
        }
        // Never held while the container runs: kill, pause and delete must get it meanwhile.
        handle.Dispose();
        if (request.Detach) return 0;

        var status = WaitInForeground(record.InitPid, forwarder!, console);
        if (!request.Keep)
        {
            try
            {
                DeleteContainer(request.Id, force: true, spec);
            }
            // Another command deleted it meanwhile (delete --force): nothing is left to remove,
            // and the status stands, as runc's.
            catch (ContainerNotFoundException)
            {
            }
        }
        return status is { } s ? ProcessWaiter.ExitCode(s) : 255;
    }

    public override ContainerState State(string id) => Store.Read(id).ToOciState();

    public override IReadOnlyList<ContainerState> List() =>
        [.. Store.List().Select(s => s.ToOciState(ContainerStore.OwnerOf(s.Directory)))];

    public override void Kill(KillRequest request)
    {
        Store.Apply(request.Id, Operation.Kill, (handle, _) =>
        {
            var record = handle.Record;
            var cgroup = OpenCgroup(record);
            var pids = request.All && cgroup.Exists() ? cgroup.GetPids() : [];
            if (pids.Count == 0) pids = [record.InitPid];
            foreach (var pid in pids)
                if (Libc.kill(pid, request.Signal) != 0 && Libc.LastErrno != Errno.ESRCH)
                    throw new HullException($"sending signal {request.Signal} to pid {pid}: {Libc.Describe(Libc.LastErrno)}");
            if (request.Signal == Libc.SIGKILL) ThawToDie(handle);
            return 0;
        });
    }

    public override void Delete(DeleteRequest request)
    {
        try
        {
            DeleteContainer(request.Id, request.Force);
        }
        // As runc: --force on a container that is already gone succeeds, so clients (conmon's
        // cleanup, shims) can delete idempotently.
        catch (ContainerNotFoundException) when (request.Force)
        {
        }
    }

    /// <param name="foreground">run in the foreground: where a terminal's master goes (null: detached,
    /// so a terminal needs --console-socket).</param>
    /// <param name="startsNext">run: the caller starts the container under the lock returned, and
    /// start's save writes the created record too (<see cref="ContainerHandle.SaveWithNext"/>).</param>
    /// <returns>The created container, still locked (the caller disposes the handle), and its config.</returns>
    (ContainerHandle Handle, Spec Spec) CreateContainer(string id, string bundleArg, LaunchOptions launch, ForegroundConsole? foreground = null, bool startsNext = false)
    {
        ContainerId.Validate(id);
        var fds = PassedFds.From(launch.PreserveFds, Environment.GetEnvironmentVariable, Libc.getpid(),
            fd => Libc.fcntl(fd, Libc.F_GETFD, 0) >= 0);
        // hull-init is started first, in the background: its spawn, exec and loading (1-2 ms) then
        // overlap reading the bundle, the checks and the state directory, while it waits in its
        // bootstrap for what they decide.
        var spawned = SpawnedInit.InBackground(() => InitLauncher.Spawn(new InitFds(fds.Count)));
        try
        {
            return CreateContainer(spawned, fds, id, bundleArg, launch, foreground, startsNext);
        }
        catch
        {
            spawned.Abort();
            throw;
        }
    }

    (ContainerHandle Handle, Spec Spec) CreateContainer(SpawnedInit spawned, PassedFds fds, string id, string bundleArg, LaunchOptions launch, ForegroundConsole? foreground, bool startsNext)
    {
        var (bundle, configJson, spec) = ReadBundle(bundleArg);

        // Everything the config alone can tell is checked before anything exists.
        var process = spec.Process ?? throw new ConfigException("process is missing", "process");
        if (process.Args is not { Count: > 0 }) throw new ConfigException("args must not be empty");
        var consoleMode = ConsoleModes.Decide(process.Terminal, launch.ConsoleSocket, detach: foreground is null);
        new LsmLabels(process.ApparmorProfile, process.SelinuxLabel)
            .Validate(LsmHost.Real, spec.Linux?.MountLabel, ("process.apparmorProfile", "process.selinuxLabel"));
        var rootfs = RootfsOf(bundle, spec);
        var boot = BootstrapData.From(spec);
        InitSetup.Validate(spec);
        var seccompFilter = SeccompCompiler.Compile(spec.Linux?.Seccomp, Context.Log);
        var host = HostIdentity.Current();
        var rootless = RootlessFacts.Decide(host, Context.Options.Rootless);
        RootlessConfig.Check(spec, rootless.RootlessEuid, host.Euid);
        var idMaps = IdMapPlan.Decide(spec, boot.CreatesUserNamespace, rootless.RootlessEuid, host.Euid, Libc.Creds.getegid(), IdMapPlan.OnPath(Environment.GetEnvironmentVariable("PATH")));
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
            NoNewKeyring = launch.NoNewKeyring,
        };
        using var consoleSocket = consoleMode == ConsoleMode.Socket ? ConsoleSocket.Connect(launch.ConsoleSocket!) : null;
        var handle = Store.Create(draft, configJson);
        InitProcess? init = null;
        try
        {
            // The init's bootstrap enters its cgroups by itself (a new cgroup namespace is then
            // rooted there): moving another process into a cgroup waits for an RCU grace period,
            // 5-20 ms, which was the largest single cost of `run`. Rootless, where a cgroup hull
            // may not write is tolerated, hull places it: the bootstrap process first when a cgroup
            // namespace is rooted where its creator is, otherwise the init while it starts up (the
            // wait then overlaps its set-up). The init runs nothing of the container's until ready.
            var selfJoin = !rootless.RootlessCgroups;
            if (selfJoin)
            {
                cgroup.Create();
                boot = boot with { Cgroups = CgroupEntry.From(cgroup.Paths) };
            }
            var placeFirst = !selfJoin && boot.CreatesOrJoins(NamespaceFlags.Cgroup);
            init = InitLauncher.Bootstrap(spawned, boot,
                writeUserMaps: pid => UserNamespaceMaps.Proc.Write(pid, idMaps),
                placeInCgroup: placeFirst ? cgroup.Apply : null);
            var options = new InitOptions
            {
                Id = id,
                Bundle = bundle,
                Rootfs = rootfs,
                PassedFds = fds.Count,
                ExtraEnv = fds.ExtraEnv,
                NoPivot = launch.NoPivot,
                NoNewKeyring = launch.NoNewKeyring,
                RootlessEuid = rootless.RootlessEuid,
                Seccomp = seccompFilter,
            };
            init.Channel.Send(SyncMessage.Spec, configJson);
            // The fifo goes with the options (SCM_RIGHTS): the init cannot reach the state dir once it has pivoted.
            var fifo = ExecFifo.Create(handle.Record.ExecFifoPath!);
            try
            {
                init.Channel.SendFd(SyncMessage.Options, fifo, InitMessages.Encode(options));
            }
            finally
            {
                Libc.close(fifo);
            }
            var creating = handle.Record with { InitPid = init.Pid };
            if (!selfJoin && !placeFirst) PlaceInit(cgroup, init.Pid);
            var creatingState = creating.ToOciState(Status.Creating);
            var requests = new SetupRequests(Context.Log.Warn, consoleMode == ConsoleMode.Foreground ? foreground : consoleSocket, spec.Linux?.Seccomp,
                pid => new ContainerProcessState { Pid = pid, Metadata = spec.Linux?.Seccomp?.ListenerMetadata, State = RuntimeState.From(creatingState) });
            ServeInit(init.Channel, init.Pid, spec, creatingState, requests);

            // The config's resources with runc's default device rules added (a bare deny-all otherwise).
            cgroup.Set(cgroupConfig.Resources!);
            var record = creating with
            {
                Status = Status.Created,
                InitStartTime = Store.Probe.Stat(init.Pid)?.StartTime ?? throw new HullException("the container's init exited during create"),
                CgroupPaths = cgroup.Paths,
                NamespacePaths = NamespacePaths(spec, init.Pid),
            };
            if (startsNext) handle.SaveWithNext(record);
            else handle.Save(record);
            if (launch.PidFile is { } pidFile) WritePidFile(pidFile, init.Pid);
            return (handle, spec);
        }
        catch
        {
            init?.Abort();
            DestroyCgroup(cgroup);
            handle.Destroy();
            handle.Dispose();
            throw;
        }
        finally
        {
            init?.Dispose();
        }
    }

    /// <summary>
    /// run and restore in the foreground: signals go to the init, its terminal (if it sent one) is
    /// relayed to ours and resized with it, until the init exits. The init is our child (bootstrap.c
    /// clones it with CLONE_PARENT; CRIU restores it as hull's child, rst_sibling), so its status is ours to read.
    /// </summary>
    static int? WaitInForeground(int initPid, SignalForwarder forwarder, ForegroundConsole? console)
    {
        forwarder.Forward(initPid);
        if (console is { HasMaster: true })
        {
            forwarder.OnWindowChange(console.Resize);
            console.Attach();
        }
        var status = ProcessWaiter.WaitReapingOthers(initPid);
        console?.Dispose();
        return status;
    }

    /// <summary>The bundle's absolute path and its config.json (as UTF-8, and parsed): what create and restore start from.</summary>
    static (string Bundle, byte[] ConfigJson, Spec Spec) ReadBundle(string bundleArg)
    {
        // runc works in the bundle's real directory (it changes into it), and reports that path.
        var given = Path.GetFullPath(bundleArg);
        var bundle = Libc.Fs.RealPath(given) ?? given;
        var configPath = Path.Combine(bundle, "config.json");
        string configText;
        try { configText = File.ReadAllText(configPath); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"JSON specification file {configPath} not found: run in a bundle directory, or pass --bundle");
        }
        var configJson = Encoding.UTF8.GetBytes(configText);
        return (bundle, configJson, OciJson.ParseConfig(configJson, configPath));
    }

    /// <summary>The rootfs as an absolute host path, checked to exist.</summary>
    static string RootfsOf(string bundle, Spec spec)
    {
        var rootPath = spec.Root?.Path is { Length: > 0 } r ? r : throw new ConfigException("root.path is missing", "root.path");
        var rootfs = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(bundle, rootPath)));
        if (!Directory.Exists(rootfs))
            throw new ConfigException($"rootfs ({rootfs}) does not exist", "root.path");
        // As runc: the rootfs is named by its real path, so what is checked and what is mounted agree.
        if (Libc.Fs.RealPath(rootfs) is { } real && real != rootfs)
            throw new ConfigException($"invalid rootfs ({rootfs}): not an absolute path, or a symlink; set root.path to the real directory ({real})", "root.path");
        return rootfs;
    }

    /// <summary>Moves the running init into the container's cgroup. If the init died meanwhile,
    /// its own error (read next from the channel) is the one to report.</summary>
    void PlaceInit(ICgroupManager cgroup, int pid)
    {
        try
        {
            cgroup.Apply(pid);
        }
        catch (HullException) when (Store.Probe.Stat(pid) is null or { HasExited: true })
        {
        }
    }

    /// <summary>What the init asks of the parent until it is ready: hooks in the runtime's
    /// namespaces, and the <see cref="SetupRequests"/> (warnings, its terminal, its seccomp notify fd).</summary>
    static void ServeInit(SyncChannel channel, int initPid, Spec spec, ContainerState creating, SetupRequests requests)
    {
        while (true)
        {
            var frame = channel.Receive() ?? throw new HullException("unable to start container process: the init exited before it was ready");
            switch (frame.Type)
            {
                case SyncMessage.Ready:
                    return;
                case SyncMessage.HooksRequest:
                    HookRunner.Run(spec, HookPhase.Prestart, creating);
                    HookRunner.Run(spec, HookPhase.CreateRuntime, creating);
                    channel.Send(SyncMessage.HooksDone);
                    break;
                default:
                    if (!requests.Handle(channel, frame, initPid))
                        throw new HullException($"the container's init sent {frame.Type} before it was ready");
                    break;
            }
        }
    }

    /// <summary>
    /// delete (and the end of a foreground run): a running or paused container only with force;
    /// every process of the container killed and gone, then its cgroup, its state, and the
    /// poststop hooks (whose failure is only a warning).
    /// </summary>
    /// <param name="config">The container's config when the caller has it (run): not read again.</param>
    void DeleteContainer(string id, bool force, Spec? config = null)
    {
        using var handle = Store.Lock(id);
        DeleteLocked(handle, force, config);
    }

    /// <summary>delete of a container whose lock is held; the poststop hooks run last, once it is gone.</summary>
    void DeleteLocked(ContainerHandle locked, bool force, Spec? config)
    {
        ContainerState? final = null;
        ContainerStore.Apply(locked, force ? Operation.ForceDelete : Operation.Delete, (handle, _) =>
        {
            var record = handle.Record;
            var cgroup = OpenCgroup(record);
            if (handle.Status != Status.Stopped)
            {
                Libc.kill(record.InitPid, Libc.SIGKILL);
                ThawToDie(handle);
                WaitGone(record);
            }
            DestroyCgroup(cgroup);
            config ??= Store.LoadConfigForHooks(record.Id);
            final = record.ToOciState(Status.Stopped);
            handle.Destroy();
            return 0;
        });
        HookRunner.RunWarning(config!, HookPhase.Poststop, final!, Context.Log.Warn);
    }

    /// <summary>Kills what is left in the cgroup (a container without a PID namespace, or exec'd
    /// processes) and removes it.</summary>
    void DestroyCgroup(ICgroupManager cgroup)
    {
        try
        {
            if (!cgroup.Exists()) return;
            cgroup.KillAll();
            cgroup.Destroy();
        }
        catch (HullException e)
        {
            Context.Log.Warn($"removing the container's cgroup: {e.Message}");
        }
    }

    /// <summary>Waits for a killed init to be gone (a zombie counts: its parent reaps it).</summary>
    void WaitGone(ContainerRecord record)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (StatusDerivation.InitAlive(record, Store.Probe))
        {
            if (Environment.TickCount64 > deadline)
                throw new HullException($"container {record.Id}'s init (pid {record.InitPid}) did not die after SIGKILL");
            Thread.Sleep(2);
        }
    }

    static ICgroupManager OpenCgroup(ContainerRecord record) => CgroupManagers.Open(record.CgroupPaths, record.RootlessCgroups);

    /// <summary>Where exec will join each namespace: the config's path, or the init's own.</summary>
    static Dictionary<string, string> NamespacePaths(Spec spec, int initPid)
    {
        var paths = new Dictionary<string, string>();
        foreach (var ns in spec.Linux?.Namespaces ?? [])
            paths[ns.Type] = string.IsNullOrEmpty(ns.Path) ? $"/proc/{initPid}/ns/{ProcName(ns.Type)}" : ns.Path;
        return paths;
    }

    static string ProcName(string type) => type switch { "network" => "net", "mount" => "mnt", _ => type };

    /// <summary>The pid file, written atomically (temp + rename) as runc does: containerd may be polling it.</summary>
    static void WritePidFile(string path, int pid)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full));
        File.WriteAllText(tmp, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(tmp, full, overwrite: true);
    }
}
