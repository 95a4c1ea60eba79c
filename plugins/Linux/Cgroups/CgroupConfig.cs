using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>What one container asks of the cgroup manager.</summary>
internal sealed record CgroupConfig
{
    /// <summary>The container id: the cgroup's name when <see cref="Path"/> is empty (runc's default).</summary>
    public required string Name { get; init; }

    /// <summary>linux.cgroupsPath: absolute (from the hierarchy root) or relative (to hull's own cgroup).</summary>
    public string? Path { get; init; }

    /// <summary>linux.resources; the manager needs it at Apply to decide what a rootless failure means.</summary>
    public LinuxResources? Resources { get; init; }

    /// <summary>RootlessCgroups: cgroup errors are ignored when no limits are asked for.</summary>
    public bool Rootless { get; init; }

    /// <summary>--systemd-cgroup.</summary>
    public bool Systemd { get; init; }

    /// <summary>
    /// The config for a container: its cgroupsPath and resources, the device rules completed with runc's
    /// defaults so <see cref="ICgroupManager.Set"/> gets the full list.
    /// </summary>
    public static CgroupConfig FromSpec(Spec spec, string containerId, bool rootlessCgroups, bool systemd) => new()
    {
        Name = containerId,
        Path = spec.Linux?.CgroupsPath,
        Resources = (spec.Linux?.Resources ?? new LinuxResources()) with { Devices = DeviceRules.Effective(spec) },
        Rootless = rootlessCgroups,
        Systemd = systemd,
    };
}

/// <summary>Where a container's cgroup lives in each hierarchy, by runc's rules.</summary>
internal static class CgroupPaths
{
    /// <summary>
    /// The cgroup path inside a hierarchy: cgroupsPath cleaned lexically so ".." can never climb above the
    /// hierarchy (runc's CleanPath), or the container id when cgroupsPath is empty.
    /// </summary>
    public static string Inner(CgroupConfig config)
    {
        var raw = string.IsNullOrEmpty(config.Path) ? config.Name : config.Path;
        if (raw.Contains('\0')) throw new CgroupException($"linux.cgroupsPath \"{raw}\" contains a NUL byte");
        var absolute = raw.StartsWith('/');
        var parts = new List<string>();
        foreach (var part in raw.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        // An empty result names the hierarchy root or hull's own cgroup: removing it at delete would be wrong.
        if (parts.Count == 0)
            throw new CgroupException($"linux.cgroupsPath \"{raw}\" names {(absolute ? "the root cgroup" : "hull's own cgroup")}; give a path below it, e.g. \"/hull/{config.Name}\"");
        var joined = string.Join('/', parts);
        return absolute ? "/" + joined : joined;
    }

    /// <summary>
    /// v1: mountpoint + inner for an absolute path; for a relative one, under hull's own cgroup in that
    /// hierarchy (mapped through the mount's root), as runc's fs manager does.
    /// </summary>
    public static string V1(CgroupHost host, CgroupV1Mount mount, string controller, string inner)
    {
        if (inner.StartsWith('/')) return Join(mount.MountPoint, inner);
        var own = host.OwnCgroups.GetValueOrDefault(controller, "/");
        return Join(Join(mount.MountPoint, RelativeTo(mount.Root, own)), inner);
    }

    /// <summary>
    /// The unified hierarchy. On a v2 host a relative path goes beside hull's own cgroup (its parent), because
    /// hull's own cgroup has processes in it and could not enable controllers for a child (runc's rule). On a
    /// hybrid host the unified hierarchy only mirrors placement, so it follows the v1 rule.
    /// </summary>
    public static string Unified(CgroupHost host, string inner, bool besideOwn)
    {
        var mount = host.UnifiedMountPoint ?? throw new InvalidOperationException("no cgroup2 mount");
        if (inner.StartsWith('/')) return Join(mount, inner);
        var own = RelativeTo(host.UnifiedRoot, host.OwnCgroups.GetValueOrDefault("", "/"));
        if (besideOwn) own = ParentOf(own);
        return Join(Join(mount, own), inner);
    }

    /// <summary>The part of an own-cgroup path below a mount's root ("/" when it is not below it).</summary>
    static string RelativeTo(string root, string own)
    {
        if (root == "/") return own;
        if (own == root) return "/";
        return own.StartsWith(root + "/", StringComparison.Ordinal) ? own[root.Length..] : "/";
    }

    static string ParentOf(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? "/" : trimmed[..slash];
    }

    static string Join(string a, string b)
    {
        var tail = b.Trim('/');
        return tail.Length == 0 ? a : a.TrimEnd('/') + "/" + tail;
    }
}
