using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Rootfs;

/// <summary>
/// The rootfs plan in two phases, split where the hooks run: <see cref="Mounts"/> before the
/// prestart/createRuntime/createContainer hooks (so they see the container's mounts), and
/// <see cref="Enter"/> after them (restrictions, read-only remounts, pivot_root).
/// </summary>
internal sealed record RootfsPlan(IReadOnlyList<RootfsStep> Mounts, IReadOnlyList<RootfsStep> Enter);

/// <summary>
/// Turns a config into the ordered mount plan, as runc's prepareRootfs/finalizeRootfs do, without
/// touching the system: every decision (flags, data, order, which fallback) is made here and
/// unit-tested; <see cref="IMountOps"/> only carries it out.
/// </summary>
internal static class RootfsPlanner
{
    /// <summary>runc's default /dev nodes (specconv.AllowedDevices with a path), all 0666 root:root.</summary>
    internal static IReadOnlyList<(string Path, long Major, long Minor)> DefaultDevices { get; } =
    [
        ("/dev/null", 1, 3), ("/dev/random", 1, 8), ("/dev/full", 1, 7),
        ("/dev/tty", 5, 0), ("/dev/zero", 1, 5), ("/dev/urandom", 1, 9),
    ];

    /// <summary>Paths under /proc a mount may cover (lxcfs emulates these), as runc allows.</summary>
    static readonly HashSet<string> AllowedProcMounts = new(StringComparer.Ordinal)
    {
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    };

    internal static RootfsPlan Plan(Spec spec, RootfsFacts facts, bool noPivot)
    {
        var linux = spec.Linux;
        if (linux?.Namespaces?.Any(n => n.Type == "mount") != true)
            throw new ConfigException("the rootfs can only be set up in a new mount namespace: add {\"type\": \"mount\"} to linux.namespaces",
                "linux.namespaces");
        var propagation = MountFlags.RootPropagation(linux.RootfsPropagation);
        var cgroupNamespace = linux.Namespaces.Any(n => n.Type == "cgroup");

        var mounts = new List<RootfsStep>
        {
            new RootPropagationStep(propagation ?? MountFlags.SLAVE | MountFlags.REC),
            new ParentPrivateStep(facts.Rootfs),
            new BindRootfsStep(facts.Rootfs),
        };
        var enter = new List<RootfsStep>();
        var configMounts = spec.Mounts ?? [];
        for (var i = 0; i < configMounts.Count; i++)
            PlanMount(configMounts[i], $"mounts[{i}]", facts, cgroupNamespace, mounts, enter);

        // A /dev bound from the host is the host's business: no nodes or links of ours in it.
        var setupDev = !configMounts.Any(m => Clean(m.Destination) == "/dev" && IsBind(m));
        if (setupDev) PlanDev(linux.Devices ?? [], facts, mounts);

        var finish = new List<RootfsStep>();
        if (spec.Process is { Cwd.Length: > 0 } process) finish.Add(new DirectoryStep(Clean(process.Cwd)));
        finish.AddRange((linux.ReadonlyPaths ?? []).Select(p => new ReadonlyPathStep(Clean(p))));
        finish.AddRange((linux.MaskedPaths ?? []).Select(p => new MaskPathStep(Clean(p))));
        // tmpfs and /dev were mounted writable so devices and createContainer hooks could write; now ro as asked.
        finish.AddRange(enter);
        if (spec.Root?.Readonly == true) finish.Add(new RemountStep("/", MountFlags.RDONLY));
        finish.Add(noPivot ? new MoveRootStep() : new PivotRootStep());
        // Applied again to the new "/" itself: before pivot it would have reached the host's mounts.
        if (propagation is { } p2) finish.Add(new RootPropagationStep(p2));
        return new RootfsPlan(mounts, finish);
    }

    static void PlanMount(Mount m, string where, RootfsFacts facts, bool cgroupNamespace, List<RootfsStep> mounts, List<RootfsStep> finalize)
    {
        var dest = Clean(m.Destination);
        var type = m.Type ?? "";
        var options = MountOptions.Parse(m.Options);
        var bind = type == "bind" || options.IsBind;
        CheckProcMount(dest, type, bind, where);
        if (type == "cgroup" && !bind)
        {
            PlanCgroup(dest, options, facts, cgroupNamespace, mounts);
            return;
        }
        if (bind)
        {
            mounts.Add(Bind(dest, SourceOf(m, facts, where), options));
            return;
        }
        // tmpfs and /dev are mounted writable, and remounted ro only after devices and hooks.
        var laterReadonly = (options.Flags & MountFlags.RDONLY) != 0 && (type == "tmpfs" || dest == "/dev");
        var flags = laterReadonly ? options.Flags & ~MountFlags.RDONLY : options.Flags;
        mounts.Add(new MountStep
        {
            Destination = dest,
            Source = string.IsNullOrEmpty(m.Source) ? type : m.Source,
            FsType = type,
            Flags = flags,
            Data = NullIfEmpty(options.Data),
            Propagation = options.Propagation,
            Recursive = options.Recursive,
            NoSymlinks = MustNotBeSymlink(dest, type),
            CopyUp = options.CopyUp && type == "tmpfs",
            // The kernel refuses sysfs to a user namespace that does not own the network namespace
            // (rootless without its own netns): the host's /sys, bound with the same flags, as crun does.
            WhenRefused = type == "sysfs"
                ? Bind(dest, "/sys", options with { Flags = options.Flags | MountFlags.BIND | MountFlags.REC }) with { NoSymlinks = true }
                : null,
        });
        if (laterReadonly) finalize.Add(new RemountStep(dest, options.Flags));
    }

    static MountStep Bind(string dest, string source, ParsedMountOptions options)
    {
        // A bind ignores every flag but MS_BIND|MS_REC; the rest (ro, nosuid, ...) needs a remount.
        var extra = options.Flags & ~(MountFlags.BIND | MountFlags.REC | MountFlags.REMOUNT);
        return new MountStep
        {
            Destination = dest,
            Source = source,
            Flags = MountFlags.BIND | (options.Flags & MountFlags.REC),
            Target = MountTarget.LikeSource,
            RemountFlags = extra != 0 ? MountFlags.BIND | MountFlags.REMOUNT | extra : null,
            Propagation = options.Propagation,
            Recursive = options.Recursive,
            NoSymlinks = MustNotBeSymlink(dest, "bind"),
        };
    }

    /// <summary>
    /// runc's cgroup mount: v2 mounts cgroup2 (falling back to a bind of the host's hierarchy when
    /// the kernel refuses, e.g. a user namespace without a cgroup namespace). v1 mounts a tmpfs and,
    /// per hierarchy, a bind of the container's own cgroup (or a fresh mount in a cgroup
    /// namespace), with links for the co-mounted controllers (cpu → cpu,cpuacct).
    /// </summary>
    static void PlanCgroup(string dest, ParsedMountOptions options, RootfsFacts facts, bool cgroupNamespace, List<RootfsStep> mounts)
    {
        var readOnly = (options.Flags & MountFlags.RDONLY) != 0;
        if (facts.CgroupUnified)
        {
            var own = facts.OwnCgroups.GetValueOrDefault("");
            var hostSource = cgroupNamespace && own is not null ? "/sys/fs/cgroup" + (own == "/" ? "" : own) : "/sys/fs/cgroup";
            mounts.Add(new MountStep
            {
                Destination = dest,
                Source = "cgroup",
                FsType = "cgroup2",
                Flags = options.Flags,
                Data = NullIfEmpty(options.Data),
                Propagation = options.Propagation,
                NoSymlinks = true,
                WhenRefused = Bind(dest, hostSource, options) with { NoSymlinks = true },
            });
            return;
        }
        mounts.Add(new MountStep
        {
            Destination = dest,
            Source = "tmpfs",
            FsType = "tmpfs",
            Flags = MountFlags.Default,
            Data = "mode=755",
            Propagation = options.Propagation,
            NoSymlinks = true,
        });
        var links = new List<RootfsStep>();
        foreach (var h in facts.CgroupHierarchies)
        {
            var name = Path.GetFileName(h.Mountpoint);
            var sub = dest + "/" + name;
            if (cgroupNamespace)
            {
                var systemd = name == "systemd";
                mounts.Add(new MountStep
                {
                    Destination = sub,
                    Source = systemd ? "systemd" : "cgroup",
                    FsType = "cgroup",
                    Flags = MountFlags.Default | (readOnly ? MountFlags.RDONLY : 0),
                    Data = systemd ? "name=systemd" : name,
                    Propagation = options.Propagation,
                    NoSymlinks = true,
                });
            }
            else
            {
                var own = facts.OwnPathIn(h) ?? "/";
                var source = own == "/" ? h.Mountpoint : h.Mountpoint + own;
                mounts.Add(Bind(sub, source, options with { Flags = options.Flags | MountFlags.BIND | MountFlags.REC }) with { NoSymlinks = true });
            }
            if (name.Contains(','))
                links.AddRange(name.Split(',').Where(c => c != name).Select(c => new SymlinkStep(name, dest + "/" + c)));
        }
        mounts.AddRange(links);
        if (readOnly) mounts.Add(new RemountStep(dest, MountFlags.Default | MountFlags.RDONLY));
    }

    static void PlanDev(IReadOnlyList<LinuxDevice> configured, RootfsFacts facts, List<RootfsStep> steps)
    {
        // The config's node for a path replaces the default one.
        var paths = configured.Select(d => Clean(d.Path)).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, major, minor) in DefaultDevices.Where(d => !paths.Contains(d.Path)))
            steps.Add(new DeviceStep(path, 'c', major, minor, 0x1b6, 0, 0, facts.BindDevices));
        for (var i = 0; i < configured.Count; i++)
        {
            var d = configured[i];
            var type = d.Type switch
            {
                "c" or "u" => 'c',
                "b" => 'b',
                "p" => 'p',
                _ => throw new ConfigException($"device type \"{d.Type}\" is not one of c, u, b, p", $"linux.devices[{i}].type"),
            };
            if (!d.Path.StartsWith('/'))
                throw new ConfigException($"device path \"{d.Path}\" is not absolute", $"linux.devices[{i}].path");
            steps.Add(new DeviceStep(Clean(d.Path), type, d.Major, d.Minor, (d.FileMode ?? 0x1b6) & 0xfff, d.Uid ?? 0, d.Gid ?? 0, facts.BindDevices));
        }
        steps.Add(new SymlinkStep("pts/ptmx", "/dev/ptmx", Replace: true));
        steps.Add(new SymlinkStep("/proc/self/fd", "/dev/fd"));
        steps.Add(new SymlinkStep("/proc/self/fd/0", "/dev/stdin"));
        steps.Add(new SymlinkStep("/proc/self/fd/1", "/dev/stdout"));
        steps.Add(new SymlinkStep("/proc/self/fd/2", "/dev/stderr"));
        if (facts.HostHasKcore) steps.Add(new SymlinkStep("/proc/kcore", "/dev/core"));
    }

    /// <summary>
    /// runc's checkProcMount: only a procfs may cover /proc, and nothing may be mounted inside it
    /// except the few files lxcfs emulates (a mount over /proc/self/... or /proc/sys could fool the
    /// runtime's own writes).
    /// </summary>
    static void CheckProcMount(string dest, string type, bool bind, string where)
    {
        if (dest == "/proc")
        {
            if (type != "proc" || bind)
                throw new ConfigException($"\"{dest}\" cannot be mounted because it is not of type proc", where + ".destination");
            return;
        }
        if (MountInfo.IsAtOrUnder(dest, "/proc") && !AllowedProcMounts.Contains(dest))
            throw new ConfigException($"\"{dest}\" cannot be mounted because it is inside /proc", where + ".destination");
    }

    static string SourceOf(Mount m, RootfsFacts facts, string where)
    {
        if (string.IsNullOrEmpty(m.Source))
            throw new ConfigException("a bind mount needs a source", where + ".source");
        return Path.IsPathRooted(m.Source) ? Path.GetFullPath(m.Source) : Path.GetFullPath(Path.Combine(facts.Bundle, m.Source));
    }

    /// <summary>Filesystems whose placement the runtime relies on (procfs, sysfs) and everything at
    /// /proc, /sys or /dev are never reached through a symlink in the image.</summary>
    static bool MustNotBeSymlink(string dest, string type) =>
        type is "proc" or "sysfs" or "devpts" or "mqueue"
        || MountInfo.IsAtOrUnder(dest, "/proc") || MountInfo.IsAtOrUnder(dest, "/sys") || MountInfo.IsAtOrUnder(dest, "/dev");

    static bool IsBind(Mount m) => m.Type == "bind" || MountOptions.Parse(m.Options).IsBind;

    /// <summary>A container path made absolute and lexically clean ("a/../b" → "/b"); it is still
    /// resolved inside the rootfs by the seam, so ".." can never climb out of it.</summary>
    internal static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var p in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".") continue;
            if (p == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }

    static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
