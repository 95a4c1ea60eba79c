using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Cgroups.V2;

/// <summary>cgroup v2: the container's one directory in the unified hierarchy (key "" in <see cref="Paths"/>).</summary>
internal sealed partial class CgroupV2Manager : ICgroupManager
{
    readonly ICgroupFs fs;
    readonly string dir;
    readonly bool rootless;
    readonly bool ignoreUnwritable;
    readonly bool needsDomainControllers;
    readonly IDeviceFilterLoader deviceFilter;
    bool placed = true;

    /// <param name="ignoreUnwritable">Rootless, no explicit cgroupsPath and no limits: a cgroup hull may not create is no error.</param>
    /// <param name="needsDomainControllers">The config limits memory, io, cpu or hugetlb (not usable in a threaded subtree).</param>
    public CgroupV2Manager(ICgroupFs fs, string dir, bool rootless, bool ignoreUnwritable = false, bool needsDomainControllers = false,
        IDeviceFilterLoader? deviceFilter = null)
    {
        this.deviceFilter = deviceFilter ?? BpfDeviceFilter.Instance;
        this.fs = fs;
        this.dir = dir;
        this.rootless = rootless;
        this.ignoreUnwritable = ignoreUnwritable;
        this.needsDomainControllers = needsDomainControllers;
    }

    public IReadOnlyDictionary<string, string> Paths =>
        placed ? new Dictionary<string, string> { [""] = dir } : new Dictionary<string, string>();

    string File(string name) => Path.Combine(dir, name);

    public void Apply(int pid) => Place(pid);

    public void Create() => Place(null);

    void Place(int? pid)
    {
        List<string> created = [];
        try
        {
            created = V2Tree.Create(fs, dir, needsDomainControllers);
            if (pid is { } p) CgroupTree.EnterPid(fs, dir, p);
        }
        catch (CgroupFsException e) when (ignoreUnwritable && e.IsPermission)
        {
            CgroupTree.RemoveCreated(fs, created);
            placed = false;
        }
        catch (CgroupFsException e)
        {
            CgroupTree.RemoveCreated(fs, created);
            var hint = rootless && e.IsPermission
                ? $" ({RootlessCgroups.MayNotWrite})"
                : "";
            var what = pid is null ? "create" : $"place process {pid} in";
            throw new CgroupException($"cannot {what} cgroup {dir}: {e.Message}{hint}", e);
        }
        catch
        {
            CgroupTree.RemoveCreated(fs, created);
            throw;
        }
    }

    public void AddProcess(int pid)
    {
        if (!placed) return;
        try { CgroupTree.EnterPid(fs, dir, pid); }
        catch (CgroupFsException e) when (rootless && (e.IsPermission || e.IsNotFound)) { }
        catch (CgroupFsException e)
        {
            throw new CgroupException($"cannot add process {pid} to cgroup {dir}: {e.Message}", e);
        }
    }

    /// <summary>cgroup.freeze (Linux 5.2+), then wait until cgroup.events says "frozen 1".</summary>
    public void Freeze()
    {
        RequireFreezer("pause");
        fs.WriteFile(File("cgroup.freeze"), "1");
        try { WaitFrozen(); }
        catch
        {
            // Never leave a cgroup half-frozen.
            try { fs.WriteFile(File("cgroup.freeze"), "0"); } catch (CgroupFsException) { }
            throw;
        }
    }

    public void Thaw()
    {
        RequireFreezer("resume");
        fs.WriteFile(File("cgroup.freeze"), "0");
    }

    void RequireFreezer(string operation)
    {
        if (!placed || !fs.FileExists(File("cgroup.freeze")))
            throw new CgroupException($"cannot {operation} the container: {(placed ? "this kernel has no cgroup v2 freezer (cgroup.freeze needs Linux 5.2)" : $"it has no cgroup ({RootlessCgroups.NoCgroup})")}");
    }

    void WaitFrozen()
    {
        var delay = 1;
        for (var waited = 0; waited < 10_000; waited += delay, delay = Math.Min(delay * 2, 10))
        {
            if (EventValue("frozen") == 1) return;
            Thread.Sleep(delay);
        }
        throw new CgroupException($"timed out after 10s waiting for cgroup {dir} to freeze");
    }

    ulong? EventValue(string key)
    {
        foreach (var (k, v) in fs.ReadKeyValues(File("cgroup.events")))
            if (k == key) return v;
        return null;
    }

    public FreezerState GetFreezerState()
    {
        if (!placed) return FreezerState.Undefined;
        // Only this cgroup's own request counts (a frozen ancestor is not a pause of this container), and
        // a request still completing is already a pause: Freeze has waited for the kernel where it could.
        return fs.TryRead(File("cgroup.freeze"))?.Trim() switch
        {
            null => FreezerState.Undefined,
            "0" => FreezerState.Thawed,
            _ => FreezerState.Frozen,
        };
    }

    public IReadOnlyList<int> GetPids() => placed ? CgroupTree.AllPids(fs, dir) : [];

    public void KillAll()
    {
        if (!placed) return;
        if (fs.FileExists(File("cgroup.kill")))
        {
            fs.WriteFile(File("cgroup.kill"), "1");
            return;
        }
        // Before Linux 5.14: freeze so nothing forks while the list is killed.
        var canFreeze = fs.FileExists(File("cgroup.freeze"));
        if (canFreeze) Freeze();
        try { CgroupTree.KillEach(GetPids()); }
        finally { if (canFreeze) Thaw(); }
    }

    public IOomNotifier OpenOomNotifier() =>
        placed
            ? new V2OomNotifier(fs, dir)
            : throw new CgroupException("cannot watch for OOM kills: the container has no cgroup (rootless hull could not create one)");

    public bool Exists() => placed && fs.DirectoryExists(dir);

    public void Destroy()
    {
        if (placed) CgroupTree.RemoveAll(fs, [dir]);
    }
}
