namespace Hull.Plugins.Linux.Rootfs;

/// <summary>A cgroup v1 hierarchy as mounted on the host: where, from which root, with which controllers.</summary>
internal sealed record CgroupHierarchy(string Mountpoint, string Root, IReadOnlyList<string> Controllers);

/// <summary>
/// What the plan depends on besides the config, read from the system once (in the init's new
/// mount namespace, before it changes anything) and injected so the planner stays pure.
/// </summary>
internal sealed record RootfsFacts
{
    /// <summary>The rootfs as an absolute host path.</summary>
    public required string Rootfs { get; init; }
    /// <summary>The bundle directory: relative bind sources are relative to it.</summary>
    public required string Bundle { get; init; }
    /// <summary>Device nodes cannot be created (the container has a user namespace, or hull runs in one): bind the host's.</summary>
    public bool BindDevices { get; init; }
    /// <summary>The host has /proc/kcore, so /dev/core links to it (as runc).</summary>
    public bool HostHasKcore { get; init; }
    /// <summary>The host's cgroups are v2 only (cgroup2 at /sys/fs/cgroup).</summary>
    public bool CgroupUnified { get; init; }
    /// <summary>v1 (and hybrid) hosts: the hierarchies a "cgroup" mount shows, in mountinfo order.</summary>
    public IReadOnlyList<CgroupHierarchy> CgroupHierarchies { get; init; } = [];
    /// <summary>The init's own cgroups from /proc/self/cgroup: controller list ("cpu,cpuacct", "name=systemd", "" for v2) → path.</summary>
    public IReadOnlyDictionary<string, string> OwnCgroups { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads the facts from /proc in the calling process's namespaces.</summary>
    internal static RootfsFacts Gather(string rootfs, string bundle, bool containerHasUserNamespace)
    {
        var mounts = MountInfo.Parse(Interop.Libc.Fs.ReadText("/proc/thread-self/mountinfo"));
        var own = ParseProcCgroup(Interop.Libc.Fs.ReadText("/proc/self/cgroup"));
        return new RootfsFacts
        {
            Rootfs = rootfs,
            Bundle = bundle,
            BindDevices = containerHasUserNamespace || !State.HostIdentity.ReadsAsInitialUserNamespace(Interop.Libc.Fs.TryReadText("/proc/self/uid_map")),
            HostHasKcore = File.Exists("/proc/kcore"),
            CgroupUnified = mounts.Any(m => m.Mountpoint == "/sys/fs/cgroup" && m.FsType == "cgroup2"),
            CgroupHierarchies = CgroupHierarchiesOf(mounts, own),
            OwnCgroups = own,
        };
    }

    /// <summary>/proc/self/cgroup: "id:controllers:path" per line.</summary>
    internal static IReadOnlyDictionary<string, string> ParseProcCgroup(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var first = line.IndexOf(':');
            var second = first < 0 ? -1 : line.IndexOf(':', first + 1);
            if (second < 0) continue;
            result.TryAdd(line[(first + 1)..second], line[(second + 1)..]);
        }
        return result;
    }

    /// <summary>
    /// The v1 hierarchies the init belongs to: "cgroup" mounts whose super options name controllers
    /// from /proc/self/cgroup. A hierarchy mounted twice is taken once (its first mount).
    /// </summary>
    internal static IReadOnlyList<CgroupHierarchy> CgroupHierarchiesOf(IReadOnlyList<MountInfoEntry> mounts, IReadOnlyDictionary<string, string> own)
    {
        var known = own.Keys.SelectMany(k => k.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<CgroupHierarchy>();
        foreach (var m in mounts)
        {
            if (m.FsType != "cgroup") continue;
            var controllers = m.SuperOptions.Where(known.Contains).ToArray();
            if (controllers.Length == 0 || !seen.Add(string.Join(',', controllers))) continue;
            result.Add(new CgroupHierarchy(m.Mountpoint, m.Root, controllers));
        }
        return result;
    }

    /// <summary>The init's cgroup in <paramref name="hierarchy"/>, relative to the hierarchy's mount root.</summary>
    internal string? OwnPathIn(CgroupHierarchy hierarchy)
    {
        var key = OwnCgroups.Keys.FirstOrDefault(k => k.Split(',').Intersect(hierarchy.Controllers).Any());
        if (key is null) return null;
        var path = OwnCgroups[key];
        if (hierarchy.Root != "/" && MountInfo.IsAtOrUnder(path, hierarchy.Root)) path = path[hierarchy.Root.Length..];
        return path.Length == 0 ? "/" : path;
    }
}
