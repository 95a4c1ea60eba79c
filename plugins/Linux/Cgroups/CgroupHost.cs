using Hull.Plugins.Linux.Rootfs;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>How the host mounts cgroups.</summary>
internal enum CgroupMode
{
    /// <summary>No cgroup filesystem is mounted.</summary>
    Disabled,
    /// <summary>Only v1 hierarchies.</summary>
    V1,
    /// <summary>v1 controller hierarchies plus a cgroup2 mount (often /sys/fs/cgroup/unified); resources go to v1, as runc does.</summary>
    Hybrid,
    /// <summary>Only the unified cgroup2 hierarchy carries controllers.</summary>
    V2,
}

/// <summary>A mounted v1 hierarchy: where, which part of the hierarchy (mount root) and which controllers ("cpu", "name=systemd").</summary>
internal sealed record CgroupV1Mount(string MountPoint, string Root, IReadOnlyList<string> Controllers);

/// <summary>
/// The host's cgroup layout, read from /proc/self/mountinfo and /proc/self/cgroup (runc reads the same two
/// files). Parsing is separate from reading so detection is unit-testable with sample texts.
/// </summary>
internal sealed record CgroupHost(
    CgroupMode Mode,
    IReadOnlyList<CgroupV1Mount> V1Mounts,
    string? UnifiedMountPoint,
    string UnifiedRoot,
    IReadOnlyDictionary<string, string> OwnCgroups)
{
    /// <summary>The v1 controllers the managers place a container in (runc's subsystem list).</summary>
    public static readonly IReadOnlyList<string> KnownV1Controllers =
    [
        "cpuset", "cpu", "cpuacct", "memory", "devices", "freezer", "net_cls", "net_prio", "blkio",
        "perf_event", "hugetlb", "pids", "rdma", "misc", "name=systemd",
    ];

    public static CgroupHost Detect() =>
        Parse(Interop.Libc.Fs.ReadText("/proc/self/mountinfo"), Interop.Libc.Fs.ReadText("/proc/self/cgroup"));

    public static CgroupHost Parse(string mountinfo, string procSelfCgroup)
    {
        var v1 = new List<CgroupV1Mount>();
        var seen = new HashSet<string>();
        var unified = new List<(string MountPoint, string Root)>();
        foreach (var mount in MountInfo.Parse(mountinfo))
        {
            switch (mount.FsType)
            {
                case "cgroup2":
                    unified.Add((mount.Mountpoint, mount.Root));
                    break;
                case "cgroup":
                    // A hierarchy may be mounted more than once (bind mounts): the first mount wins, as in runc.
                    var controllers = mount.SuperOptions.Where(o => KnownV1Controllers.Contains(o) && seen.Add(o)).ToList();
                    if (controllers.Count > 0) v1.Add(new CgroupV1Mount(mount.Mountpoint, mount.Root, controllers));
                    break;
            }
        }

        var own = ParseProcCgroup(procSelfCgroup);
        // Prefer the conventional places when cgroup2 is mounted more than once (OrderBy is stable).
        var chosen = unified
            .OrderBy(u => u.MountPoint switch { "/sys/fs/cgroup" => 0, "/sys/fs/cgroup/unified" => 1, _ => 2 })
            .Select(u => ((string MountPoint, string Root)?)u)
            .FirstOrDefault();
        // Only the named systemd hierarchy does not make a v1 host: systemd's "unified" layout mounts it beside cgroup2.
        var hasV1Controllers = v1.Any(m => m.Controllers.Any(c => !c.StartsWith("name=", StringComparison.Ordinal)));
        var mode = hasV1Controllers ? (chosen is null ? CgroupMode.V1 : CgroupMode.Hybrid)
            : chosen is not null ? CgroupMode.V2 : CgroupMode.Disabled;
        if (mode == CgroupMode.V2) v1.Clear();
        return new CgroupHost(mode, v1, chosen?.MountPoint, chosen?.Root ?? "/", own);
    }

    /// <summary>/proc/self/cgroup: "4:memory:/a/b", "2:cpu,cpuacct:/", "1:name=systemd:/", "0::/x" (key "" for v2).</summary>
    public static IReadOnlyDictionary<string, string> ParseProcCgroup(string text)
    {
        var own = new Dictionary<string, string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[1].Length == 0) own[""] = parts[2];
            else foreach (var c in parts[1].Split(',')) own[c] = parts[2];
        }
        return own;
    }

    public CgroupV1Mount? FindV1(string controller) => V1Mounts.FirstOrDefault(m => m.Controllers.Contains(controller));
}
