using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups.V1;

/// <summary>
/// cgroup v1: one directory per controller hierarchy (and, on a hybrid host, the unified directory under
/// key "" which only mirrors placement, as runc does).
/// </summary>
internal sealed partial class CgroupV1Manager : ICgroupManager
{
    readonly ICgroupFs fs;
    readonly Dictionary<string, string> paths;
    readonly bool rootless;
    readonly bool dropUnwritable;
    readonly LinuxResources? initial;

    /// <param name="initial">The config's resources, for the settings that must precede placement (cpu realtime).</param>
    /// <param name="dropUnwritable">
    /// Rootless without an explicit cgroupsPath: a hierarchy hull may not write to is left out instead of
    /// failing Apply; Set then fails for a limit that needs it (runc's rule).
    /// </param>
    public CgroupV1Manager(ICgroupFs fs, IReadOnlyDictionary<string, string> paths, bool rootless, bool dropUnwritable = false, LinuxResources? initial = null)
    {
        this.initial = initial;
        this.fs = fs;
        this.paths = new Dictionary<string, string>(paths);
        this.rootless = rootless;
        this.dropUnwritable = dropUnwritable;
    }

    public IReadOnlyDictionary<string, string> Paths => paths;

    public void Apply(int pid) => Place(pid);

    public void Create() => Place(null);

    void Place(int? pid)
    {
        var created = new List<string>();
        try
        {
            foreach (var (controller, dir) in paths.ToList())
            {
                List<string> made = [];
                try
                {
                    made = CgroupTree.CreateAll(fs, dir);
                    created.AddRange(made);
                    if (controller == "cpuset") InheritCpuset(dir);
                    // A SCHED_RR/FIFO process cannot join a cgroup without rt bandwidth: set it before joining (runc).
                    if (controller == "cpu" && initial?.Cpu is { } cpu) SetRealtime(new ResourceWriter(fs, dir), cpu);
                    if (pid is { } p) CgroupTree.EnterPid(fs, dir, p);
                }
                catch (CgroupFsException e) when (dropUnwritable && e.IsPermission)
                {
                    CgroupTree.RemoveCreated(fs, made);
                    created.RemoveAll(made.Contains);
                    paths.Remove(controller);
                }
                catch (CgroupFsException e)
                {
                    var hint = rootless && e.IsPermission ? $" ({RootlessCgroups.MayNotWrite})" : "";
                    var what = pid is null ? "create" : $"place process {pid} in";
                    throw new CgroupException($"cannot {what} its {Describe(controller)} cgroup: {e.Message}{hint}", e);
                }
            }
        }
        catch
        {
            CgroupTree.RemoveCreated(fs, created);
            throw;
        }
    }

    public void AddProcess(int pid)
    {
        foreach (var (controller, dir) in paths)
        {
            try { CgroupTree.EnterPid(fs, dir, pid); }
            catch (CgroupFsException e) when (rootless && (e.IsPermission || e.IsNotFound)) { }
            catch (CgroupFsException e)
            {
                throw new CgroupException($"cannot add process {pid} to the container's {Describe(controller)} cgroup: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// A new cpuset cgroup starts with no cpus and no mems, and no task can join it until both are set: fill
    /// each empty level, top down, from its parent (runc's ensureParent/copyIfNeeded).
    /// </summary>
    void InheritCpuset(string leaf)
    {
        var chain = new Stack<string>();
        for (var dir = leaf; ; )
        {
            var parent = Path.GetDirectoryName(dir);
            if (parent is null || !fs.FileExists(Path.Combine(parent, "cpuset.cpus"))) break;
            chain.Push(dir);
            dir = parent;
        }
        while (chain.Count > 0)
        {
            var dir = chain.Pop();
            var parent = Path.GetDirectoryName(dir)!;
            foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
                if (string.IsNullOrWhiteSpace(fs.TryRead(Path.Combine(dir, file))))
                    fs.WriteFile(Path.Combine(dir, file), fs.TryRead(Path.Combine(parent, file)) ?? "");
        }
    }

    public void Freeze() => V1Freezer.Freeze(fs, FreezerPath("pause"));

    public void Thaw() => V1Freezer.Thaw(fs, FreezerPath("resume"));

    public FreezerState GetFreezerState() =>
        paths.TryGetValue("freezer", out var dir) ? V1Freezer.State(fs, dir) : FreezerState.Undefined;

    string FreezerPath(string operation) =>
        paths.TryGetValue("freezer", out var dir)
            ? dir
            : throw new CgroupException(rootless
                ? $"cannot {operation} the container: it has no freezer cgroup ({RootlessCgroups.NoCgroup})"
                : $"cannot {operation} the container: the freezer cgroup controller is not mounted on this host");

    public IReadOnlyList<int> GetPids()
    {
        // Any hierarchy holds every process; prefer the ones a container is always placed in.
        foreach (var controller in new[] { "pids", "freezer", "devices", "memory", "cpu", "name=systemd" })
            if (paths.TryGetValue(controller, out var dir)) return CgroupTree.AllPids(fs, dir);
        return paths.Count > 0 ? CgroupTree.AllPids(fs, paths.Values.First()) : [];
    }

    public void KillAll()
    {
        // A hybrid host's unified directory mirrors placement and has cgroup.kill (Linux 5.14+).
        if (paths.TryGetValue("", out var unified) && fs.FileExists(Path.Combine(unified, "cgroup.kill")))
        {
            fs.WriteFile(Path.Combine(unified, "cgroup.kill"), "1");
            return;
        }
        // Without cgroup.kill, freeze first so no process can fork while the list is being killed.
        var frozen = paths.ContainsKey("freezer");
        if (frozen) Freeze();
        try { CgroupTree.KillEach(GetPids()); }
        finally { if (frozen) Thaw(); }
    }

    public IOomNotifier OpenOomNotifier() =>
        paths.TryGetValue("memory", out var memory)
            ? new V1OomNotifier(fs, memory)
            : throw new CgroupException("cannot watch for OOM kills: the container has no memory cgroup (the memory controller is not mounted)");

    public bool Exists() => paths.Values.Any(fs.DirectoryExists);

    public void Destroy() => CgroupTree.RemoveAll(fs, paths.Values);

    static string Describe(string controller) => controller.Length == 0 ? "unified (cgroup2)" : controller;
}
