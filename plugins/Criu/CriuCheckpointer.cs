using System.Runtime.Versioning;
using System.Text.Json;
using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Criu.Host;
using Hull.Plugins.Criu.Mapping;
using Hull.Plugins.Criu.Native;
using Hull.Plugins.Criu.Rpc;

namespace Hull.Plugins.Criu;

/// <summary>
/// Checkpoint and restore through CRIU's RPC. Nothing touches CRIU until a checkpoint or restore
/// asks for it; then CRIU is located, its version checked, and the features a request needs are
/// confirmed before anything is changed.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class CriuCheckpointer : ICheckpointer
{
    /// <summary>runc's file in the image dir: what the init's stdio were, so restore can reconnect pipes.</summary>
    public const string DescriptorsFile = "descriptors.json";
    const string CriuRootDir = "criu-root";

    readonly Func<string> locate;
    readonly Func<string, ICriuRunner> runnerFor;
    readonly ICriuHost host;
    readonly IHullLog log;
    ICriuRunner? runner;
    CriuVersion? version;

    public CriuCheckpointer(string? criuPath, IHullLog log)
        : this(() => CriuLocator.Locate(criuPath, Environment.GetEnvironmentVariable("PATH")), path => new CriuRunner(path), new LinuxCriuHost(), log)
    {
    }

    internal CriuCheckpointer(Func<string> locate, Func<string, ICriuRunner> runnerFor, ICriuHost host, IHullLog log)
    {
        this.locate = locate;
        this.runnerFor = runnerFor;
        this.host = host;
        this.log = log;
    }

    public void EnsureAvailable() => _ = Version();

    /// <summary>CRIU's version over RPC (asked once); refuses a CRIU older than <see cref="CriuVersion.Minimum"/>.</summary>
    internal CriuVersion Version()
    {
        if (version is not null) return version;
        var path = locate();
        runner = runnerFor(path);
        criu_resp response;
        try
        {
            response = runner.Run(new criu_req { Type = criu_req_type.Version }, [], null);
        }
        catch (HullException e)
        {
            // CRIU before 3.0 has no VERSION request: it answers it as a failure.
            throw new HullException($"cannot ask {path} for its version ({e.Message}): checkpoint/restore need CRIU {CriuVersion.Minimum} or newer", e);
        }
        var v = response.Version;
        var found = new CriuVersion(v.MajorNumber, v.MinorNumber, v.Sublevel, v.HasGitid ? v.Gitid : null);
        if (found.CompareTo(CriuVersion.Minimum) < 0)
            throw new HullException($"{path} is CRIU {found}, but checkpoint/restore need CRIU {CriuVersion.Minimum} or newer");
        log.Debug($"using CRIU {found} at {path}");
        return version = found;
    }

    ICriuRunner Runner()
    {
        EnsureAvailable();
        return runner!;
    }

    /// <summary>Asks CRIU (FEATURE_CHECK) whether the kernel and CRIU can do what the request needs.</summary>
    internal void RequireFeatures(bool memoryTracking, bool lazyPages, string memoryTrackingUse)
    {
        if (!memoryTracking && !lazyPages) return;
        var wanted = new criu_features();
        if (memoryTracking) wanted.MemTrack = true;
        if (lazyPages) wanted.LazyPages = true;
        var found = Runner().Run(new criu_req { Type = criu_req_type.FeatureCheck, Features = wanted }, [], null).Features;
        if (memoryTracking && !(found?.MemTrack ?? false))
            throw new HullException($"{memoryTrackingUse} needs memory dirty tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks");
        if (lazyPages && !(found?.LazyPages ?? false))
            throw new HullException($"lazy migration (--lazy-pages) needs userfaultfd in the kernel (CONFIG_USERFAULTFD) and CRIU {version} built with lazy-pages support, which are missing here");
    }

    public void Checkpoint(CheckpointTarget target, CheckpointRequest request)
    {
        var criu = Runner();
        // Map first: bad flags fail before anything is created.
        var plan = CriuOptionsMapper.ForDump(target, request, host);
        RequireFeatures(plan.NeedsMemoryTracking, plan.NeedsLazyPages,
            request.PreDump ? "pre-dump" : "--parent-path (dumping only the pages changed since the parent)");
        if (request.LazyPages && request.StatusFd is { } statusFd) CheckWritable(statusFd);

        var imageDir = ImageDirectory(request);
        var workDir = request.WorkPath is { Length: > 0 } w ? Path.GetFullPath(w) : null;
        // A container can be checkpointed many times: the directories may exist already.
        MakePrivateDirectory(imageDir);
        if (workDir is not null) MakePrivateDirectory(workDir);
        var logPath = Path.Combine(workDir ?? imageDir, CriuOptionsMapper.DumpLog);

        if (!request.PreDump)
            File.WriteAllText(Path.Combine(imageDir, DescriptorsFile),
                JsonSerializer.Serialize(host.StdioDescriptors(target.InitPid), CriuJson.Default.IReadOnlyListString));

        using var images = Fd.OpenDirectory(imageDir);
        using var work = workDir is null ? null : Fd.OpenDirectory(workDir);
        plan.Options.ImagesDirFd = images.Value;
        if (work is not null) plan.Options.WorkDirFd = work.Value;

        var notifications = new DumpNotifications(request.LazyPages ? request.StatusFd : null);
        try
        {
            criu.Run(new criu_req { Type = plan.Type, Opts = plan.Options }, [], notifications);
        }
        catch (HullException e)
        {
            var what = request.PreDump ? "pre-dump" : "checkpoint";
            throw new HullException(CriuLog.Quote($"{what} of container \"{target.Id}\" failed", e, logPath), e);
        }
        finally
        {
            notifications.CloseStatusFd();
        }
    }

    public int Restore(CheckpointTarget target, RestoreRequest request, IRestoreCallbacks callbacks)
    {
        var criu = Runner();
        var imageDir = ImageDirectory(request);
        if (!Directory.Exists(imageDir))
            throw new HullException($"cannot restore container \"{target.Id}\": the image directory {imageDir} does not exist (give --image-path the directory a checkpoint was written to)");
        if (!File.Exists(Path.Combine(imageDir, "inventory.img")))
            throw new HullException($"cannot restore container \"{target.Id}\": {imageDir} holds no checkpoint (no inventory.img)");
        var descriptors = ReadDescriptors(imageDir);
        var stateDir = target.StateDir
            ?? throw new InvalidOperationException("the backend must give CheckpointTarget.StateDir for restore");

        var root = Path.Combine(stateDir, CriuRootDir);
        var plan = CriuOptionsMapper.ForRestore(target, request, root, descriptors, host);
        if (plan.Options.LazyPages) RequireFeatures(memoryTracking: false, lazyPages: true, "");

        var workDir = request.WorkPath is { Length: > 0 } w ? Path.GetFullPath(w) : null;
        if (workDir is not null) MakePrivateDirectory(workDir);
        var logPath = Path.Combine(workDir ?? imageDir, CriuOptionsMapper.RestoreLog);

        var namespaceFds = new List<Fd>();
        Directory.CreateDirectory(root);
        try
        {
            foreach (var nsFile in plan.InheritedNamespaceFiles)
                namespaceFds.Add(OpenNamespace(nsFile));
            using var images = Fd.OpenDirectory(imageDir);
            using var work = workDir is null ? null : Fd.OpenDirectory(workDir);
            plan.Options.ImagesDirFd = images.Value;
            if (work is not null) plan.Options.WorkDirFd = work.Value;

            // CRIU wants the root to be a mount point whose parent is not overmounted.
            BindMount(target.Rootfs, root);
            try
            {
                var notifications = new RestoreNotifications(callbacks);
                var response = criu.Run(new criu_req { Type = criu_req_type.Restore, Opts = plan.Options },
                    namespaceFds.Select(f => f.Value).ToList(), notifications,
                    started: criuPid =>
                    {
                        callbacks.ApplyCgroups(criuPid);
                        plan.Options.CgRoot.AddRange(CriuOptionsMapper.CgroupRoots(host.CgroupsOf(criuPid)));
                    });
                return response.Restore?.Pid ?? notifications.RestoredPid
                    ?? throw new HullException("criu restore answered success without the restored pid");
            }
            catch (HullException e)
            {
                throw new HullException(CriuLog.Quote($"restore of container \"{target.Id}\" failed", e, logPath), e);
            }
            finally
            {
                Libc.umount2(root, Libc.MNT_DETACH);
            }
        }
        finally
        {
            foreach (var fd in namespaceFds) fd.Dispose();
            try { Directory.Delete(root); } catch (IOException) { /* still busy: delete removes the state dir */ }
        }
    }

    /// <summary>--image-path, default ./checkpoint as runc, made absolute against the current directory.</summary>
    static string ImageDirectory(CriuOptions request) =>
        Path.GetFullPath(request.ImagePath is { Length: > 0 } p ? p : "checkpoint");

    static void MakePrivateDirectory(string path)
    {
        if (Directory.Exists(path)) return;
        try
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HullException($"cannot create {path}: {e.Message}", e);
        }
    }

    static IReadOnlyList<string> ReadDescriptors(string imageDir)
    {
        var path = Path.Combine(imageDir, DescriptorsFile);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CriuJson.Default.IReadOnlyListString) ?? [];
        }
        catch (FileNotFoundException)
        {
            throw new HullException($"{imageDir} was not written by a container checkpoint: {DescriptorsFile} is missing");
        }
        catch (JsonException e)
        {
            throw new HullException($"{path} is malformed: {e.Message}", e);
        }
    }

    static Fd OpenNamespace(string path)
    {
        try
        {
            return Fd.OpenReadOnly(path);
        }
        catch (IOException e)
        {
            throw new HullException($"the namespace {path} the container joins must exist to restore into it: {e.Message}", e);
        }
    }

    static void BindMount(string source, string target)
    {
        if (Libc.mount(source, target, null, Libc.MS_BIND | Libc.MS_REC, null) != 0)
            throw new HullException($"cannot bind-mount the rootfs {source} at {target} for CRIU: {Libc.Describe(Libc.LastErrno)}");
    }

    static void CheckWritable(int fd)
    {
        var flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0)
            throw new UsageException($"--status-fd {fd}: {Libc.Describe(Libc.LastErrno)}");
        // runc 1.1 wrongly rejects O_RDWR fds here; any writable fd will do.
        if ((flags & Libc.O_ACCMODE) == Libc.O_RDONLY)
            throw new UsageException($"--status-fd {fd}: the fd is not open for writing");
    }

    /// <summary>During a dump only "status-ready" matters: lazy pages are being served.</summary>
    sealed class DumpNotifications(int? statusFd) : ICriuNotifications
    {
        int? statusFd = statusFd;

        public void Notify(string script, int pid, IReadOnlyList<int> fds)
        {
            if (script != "status-ready" || statusFd is null) return;
            // Whoever migrates the container waits for this byte to start the restore elsewhere.
            unsafe
            {
                byte zero = 0;
                if (Libc.write(statusFd.Value, &zero, 1) != 1)
                    throw new HullException($"cannot write to --status-fd {statusFd}: {Libc.Describe(Libc.LastErrno)}");
            }
            CloseStatusFd();
        }

        /// <summary>Closed once used (or when the dump ends), so the reader is never left waiting.</summary>
        public void CloseStatusFd()
        {
            if (statusFd is { } fd) Libc.CloseQuietly(fd);
            statusFd = null;
        }
    }

    /// <summary>Restore's notify points, forwarded to the backend.</summary>
    sealed class RestoreNotifications(IRestoreCallbacks callbacks) : ICriuNotifications
    {
        public int? RestoredPid { get; private set; }

        public void Notify(string script, int pid, IReadOnlyList<int> fds)
        {
            switch (script)
            {
                case "setup-namespaces":
                    callbacks.SetupNamespaces(pid);
                    break;
                case "post-restore":
                    RestoredPid = pid;
                    callbacks.PostRestore(pid);
                    break;
                case "orphan-pts-master":
                    if (fds.Count == 0) throw new HullException("criu sent orphan-pts-master without the pty master");
                    callbacks.OrphanPtsMaster(fds[0]);
                    break;
            }
        }
    }
}
