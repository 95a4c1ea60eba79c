using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Process;

namespace Hull.Plugins.Linux;

/// <summary>
/// The Linux backend's lifecycle: create/start/run/state/list/kill/delete, sequencing the state
/// store, the init launcher and the container's init over the sync channel.
/// </summary>
internal sealed partial class LinuxBackend(BackendContext context) : PlatformBackendBase
{
    protected override string BackendName => "linux";
    internal BackendContext Context { get; } = context;

    const string DefaultRoot = "/run/hull";

    IContainerStore Store => field ??= new MinimalStateStore(Context.Options.Root ?? DefaultRoot);

    public override void Create(CreateRequest request) => CreateContainer(request.Id, request.Bundle, request);

    public override void Start(string id)
    {
        using var entry = Store.Open(id);
        var record = entry.Record!;
        switch (StatusOf(entry))
        {
            case ContainerStatus.Created: break;
            case ContainerStatus.Stopped: throw new HullException("cannot start a container that has stopped");
            case var s: throw new HullException($"cannot start an already {s} container");
        }
        ExecFifo.Release(entry.Dir, () => ProcessInfo.IsAlive(record.InitPid, record.InitStartTime));
    }

    public override int Run(RunRequest request)
    {
        // As a subreaper hull inherits (and reaps) the container's orphans when it has no PID namespace.
        if (!request.Detach && !request.NoSubreaper)
            Libc.Check(Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
        using var forwarder = request.Detach ? null : new SignalForwarder();
        var record = CreateContainer(request.Id, request.Bundle, request);
        try
        {
            Start(request.Id);
        }
        catch
        {
            if (!request.Detach) DestroyAfterExit(request.Id);
            throw;
        }
        if (request.Detach) return 0;

        forwarder!.Forward(record.InitPid);
        // The init is our child (bootstrap.c clones it with CLONE_PARENT), so its status is ours to read.
        var status = ProcessWaiter.WaitReapingOthers(record.InitPid);
        if (!request.Keep) DestroyAfterExit(request.Id);
        return status is { } s ? ProcessWaiter.ExitCode(s) : 255;
    }

    public override ContainerState State(string id)
    {
        using var entry = Store.Open(id);
        return ToState(entry);
    }

    public override IReadOnlyList<ContainerState> List()
    {
        var states = new List<ContainerState>();
        foreach (var id in Store.Ids())
        {
            try
            {
                using var entry = Store.Open(id);
                states.Add(ToState(entry));
            }
            catch (ContainerNotFoundException)
            {
                // Deleted while we listed: not an error for list.
            }
        }
        return states;
    }

    public override void Kill(KillRequest request)
    {
        using var entry = Store.Open(request.Id);
        var status = StatusOf(entry);
        if (status == ContainerStatus.Stopped) throw new HullException("container not running");
        var pid = entry.Record!.InitPid;
        if (Libc.kill(pid, request.Signal) != 0)
            throw new HullException($"sending signal {request.Signal} to the container's init (pid {pid}): {Libc.Describe(Libc.LastErrno)}");
    }

    public override void Delete(DeleteRequest request)
    {
        using var entry = Store.Open(request.Id);
        var record = entry.Record!;
        var status = StatusOf(entry);
        if (status is ContainerStatus.Running or ContainerStatus.Paused)
        {
            if (!request.Force)
                throw new HullException($"cannot delete container {request.Id} that is not stopped: {status}");
        }
        // A created container is deleted without --force, as runc: its init only waits for start.
        if (status != ContainerStatus.Stopped)
        {
            Libc.kill(record.InitPid, Libc.SIGKILL);
            if (!ProcessInfo.WaitGone(record.InitPid, record.InitStartTime, TimeSpan.FromSeconds(10)))
                throw new HullException($"container {request.Id}'s init (pid {record.InitPid}) did not die after SIGKILL");
        }
        Destroy(entry);
    }

    ContainerRecord CreateContainer(string id, string bundleArg, LaunchOptions launch)
    {
        ValidateId(id);
        var bundle = Path.GetFullPath(bundleArg);
        var configPath = Path.Combine(bundle, "config.json");
        string configText;
        try { configText = File.ReadAllText(configPath); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"JSON specification file {configPath} not found: run in a bundle directory, or pass --bundle");
        }
        var spec = OciJson.ParseConfig(configText, configPath);
        var process = spec.Process ?? throw new ConfigException("process is missing", "process");
        if (process.Args is not { Count: > 0 }) throw new ConfigException("args must not be empty");
        if (process.Terminal)
            throw new HullException("process.terminal is true, which this build of hull does not support yet: set \"terminal\": false in config.json");
        if (launch.ConsoleSocket is not null)
            throw new HullException("--console-socket is not supported yet by this build of hull");
        var rootPath = spec.Root?.Path is { Length: > 0 } r ? r : throw new ConfigException("root.path is missing", "root.path");
        var rootfs = Path.GetFullPath(Path.Combine(bundle, rootPath));
        if (!Directory.Exists(rootfs))
            throw new ConfigException($"rootfs ({rootfs}) does not exist", "root.path");
        var boot = BootstrapData.From(spec);
        var fds = PassedFds.From(launch.PreserveFds, Environment.GetEnvironmentVariable, Libc.getpid(),
            fd => Libc.fcntl(fd, Libc.F_GETFD, 0) >= 0);

        using var entry = Store.Create(id);
        InitProcess? init = null;
        try
        {
            var fifo = ExecFifo.Create(entry.Dir);
            var initFds = new InitFds(fds.Count, fifo);
            try
            {
                init = InitLauncher.Launch(boot, initFds,
                    writeUserMaps: pid => UserNamespaceMaps.Proc.Write(pid, spec, privileged: Environment.IsPrivilegedProcess),
                    placeInCgroup: _ => { });
            }
            finally
            {
                Libc.close(fifo);
            }
            var options = new InitOptions
            {
                Id = id,
                Bundle = bundle,
                Rootfs = rootfs,
                PassedFds = fds.Count,
                ExecFifoFd = initFds.FifoTarget,
                ExtraEnv = fds.ExtraEnv,
                NoPivot = launch.NoPivot,
                NoNewKeyring = launch.NoNewKeyring,
            };
            init.Channel.Send(SyncMessage.Spec, Encoding.UTF8.GetBytes(configText));
            init.Channel.Send(SyncMessage.Options, JsonSerializer.SerializeToUtf8Bytes(options, InitJson.Default.InitOptions));
            init.Channel.Expect(SyncMessage.HooksRequest, "the container's init");
            init.Channel.Send(SyncMessage.HooksDone);
            init.Channel.Expect(SyncMessage.Ready, "the container's init");

            var record = new ContainerRecord
            {
                Id = id,
                InitPid = init.Pid,
                InitStartTime = ProcessInfo.StartTime(init.Pid) ?? throw new HullException("the container's init exited during create"),
                Bundle = bundle,
                Rootfs = rootfs,
                Created = DateTimeOffset.UtcNow,
                Annotations = spec.Annotations,
            };
            entry.Save(record);
            if (launch.PidFile is { } pidFile) WritePidFile(pidFile, init.Pid);
            return record;
        }
        catch
        {
            init?.Abort();
            entry.Remove();
            throw;
        }
        finally
        {
            init?.Dispose();
        }
    }

    /// <summary>After a foreground run: the init has exited; remove what the container made.</summary>
    void DestroyAfterExit(string id)
    {
        using var entry = Store.Open(id);
        var record = entry.Record!;
        Libc.kill(record.InitPid, Libc.SIGKILL);
        ProcessInfo.WaitGone(record.InitPid, record.InitStartTime, TimeSpan.FromSeconds(10));
        Destroy(entry);
    }

    static void Destroy(IContainerEntry entry) => entry.Remove();

    static string StatusOf(IContainerEntry entry)
    {
        var r = entry.Record!;
        if (!ProcessInfo.IsAlive(r.InitPid, r.InitStartTime)) return ContainerStatus.Stopped;
        return File.Exists(ExecFifo.PathIn(entry.Dir)) ? ContainerStatus.Created : ContainerStatus.Running;
    }

    static ContainerState ToState(IContainerEntry entry)
    {
        var r = entry.Record!;
        var status = StatusOf(entry);
        return new ContainerState
        {
            OciVersion = "1.0.2-dev",
            Id = r.Id,
            Pid = status == ContainerStatus.Stopped ? 0 : r.InitPid,
            Status = status,
            Bundle = r.Bundle,
            Rootfs = r.Rootfs,
            Created = r.Created,
            Annotations = r.Annotations,
        };
    }

    /// <summary>runc's rule for container ids: letters, digits, _ + - . and not a path.</summary>
    static void ValidateId(string id)
    {
        if (!IdPattern().IsMatch(id) || id is "." or "..")
            throw new UsageException($"invalid container id format: {id}");
    }

    [GeneratedRegex(@"^[\w+\-.]+$")]
    private static partial Regex IdPattern();

    /// <summary>The pid file, written atomically (temp + rename) as runc does: containerd may be polling it.</summary>
    static void WritePidFile(string path, int pid)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full));
        File.WriteAllText(tmp, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(tmp, full, overwrite: true);
    }
}
