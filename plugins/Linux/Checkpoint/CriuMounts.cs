using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Rootfs;

namespace Hull.Plugins.Linux.Checkpoint;

/// <summary>
/// What checkpoint and restore must know about the mounts create made, read from the same plan
/// create follows (<see cref="RootfsPlanner"/>), with the container's cgroups standing in for the
/// init's own: the host bind mounts config.json does not list (cgroup v1 hierarchies under a
/// "cgroup" mount), and the mount points that must exist in the rootfs before CRIU restores.
/// Pure: the host's mount table comes in as data.
/// </summary>
internal sealed class CriuMounts
{
    readonly Spec spec;
    readonly RootfsPlan plan;

    CriuMounts(Spec spec, RootfsPlan plan)
    {
        this.spec = spec;
        this.plan = plan;
    }

    /// <param name="cgroupPaths">The container's cgroup directories (the cgroup manager's paths).</param>
    /// <param name="hostMounts">The host's mount table (hull's own mountinfo).</param>
    internal static CriuMounts For(Spec spec, string rootfs, string bundle,
        IReadOnlyDictionary<string, string> cgroupPaths, IReadOnlyList<MountInfoEntry> hostMounts)
    {
        var own = ContainerCgroups(cgroupPaths, hostMounts);
        var facts = new RootfsFacts
        {
            Rootfs = rootfs,
            Bundle = bundle,
            CgroupUnified = hostMounts.Any(m => m.Mountpoint == "/sys/fs/cgroup" && m.FsType == "cgroup2"),
            CgroupHierarchies = RootfsFacts.CgroupHierarchiesOf(hostMounts, own),
            OwnCgroups = own,
        };
        return new CriuMounts(spec, RootfsPlanner.Plan(spec, facts, noPivot: false));
    }

    /// <summary>
    /// The host binds the backend made for "cgroup" mounts (one per v1 hierarchy, of the
    /// container's own cgroup): CRIU dumps them as external and binds these sources back on restore.
    /// </summary>
    internal IReadOnlyList<HostBindMount> CgroupBinds =>
        [.. Binds().Where(s => UnderCgroupMount(s.Destination)).Select(s => new HostBindMount(s.Destination, s.Source!))];

    /// <summary>
    /// runc's preparation for restore: every mount point CRIU will mount on must exist in the
    /// rootfs, except inside a tmpfs (CRIU restores its whole content) and for "cgroup" mounts
    /// (they live in a tmpfs or appear with /sys). Bind mounts are made too, for the time of the
    /// restore, so mount points of mounts nested in them can be created (runc issue 2748).
    /// </summary>
    internal IReadOnlyList<MountStep> RestoreMountpoints
    {
        get
        {
            var tmpfs = Mounts().Where(s => s.FsType == "tmpfs").Select(s => s.Destination).ToList();
            var result = new List<MountStep>();
            foreach (var step in Mounts())
            {
                if (UnderCgroupMount(step.Destination) || tmpfs.Any(t => StrictlyUnder(step.Destination, t))) continue;
                result.Add(IsBind(step)
                    ? new MountStep
                    {
                        Destination = step.Destination,
                        Source = step.Source,
                        Flags = MountFlags.BIND | MountFlags.REC,
                        Target = MountTarget.LikeSource,
                        NoSymlinks = step.NoSymlinks,
                    }
                    : new MountStep { Destination = step.Destination, Target = MountTarget.Directory, NoSymlinks = step.NoSymlinks });
            }
            return result;
        }
    }

    IEnumerable<MountStep> Mounts() => plan.Mounts.OfType<MountStep>();

    IEnumerable<MountStep> Binds() => Mounts().Where(IsBind);

    static bool IsBind(MountStep step) => (step.Flags & MountFlags.BIND) != 0;

    bool UnderCgroupMount(string destination) =>
        (spec.Mounts ?? []).Any(m => m.Type == "cgroup" && !(m.Options?.Any(o => o is "bind" or "rbind") ?? false)
                                     && MountInfo.IsAtOrUnder(destination, RootfsPlanner.Clean(m.Destination)));

    static bool StrictlyUnder(string path, string dir) => path != dir && MountInfo.IsAtOrUnder(path, dir);

    /// <summary>
    /// The container's cgroups as /proc/PID/cgroup would show them for a process inside
    /// ("cpu" → "/c1", relative to each hierarchy's root), from the manager's directories.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> ContainerCgroups(
        IReadOnlyDictionary<string, string> cgroupPaths, IReadOnlyList<MountInfoEntry> hostMounts)
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (controller, directory) in cgroupPaths)
        {
            var fsType = controller.Length == 0 ? "cgroup2" : "cgroup";
            var mount = hostMounts.Where(m => m.FsType == fsType && MountInfo.IsAtOrUnder(directory, m.Mountpoint))
                .MaxBy(m => m.Mountpoint.Length);
            if (mount is null) continue;
            var inMount = directory[mount.Mountpoint.Length..];
            own[controller] = RootfsPlanner.Clean(mount.Root + "/" + inMount);
        }
        return own;
    }
}
