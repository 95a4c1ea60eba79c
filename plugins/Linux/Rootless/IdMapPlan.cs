using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Rootless;

/// <summary>How one of /proc/PID/uid_map and gid_map gets written.</summary>
/// <param name="Kind">"uid" or "gid".</param>
/// <param name="Helper">newuidmap/newgidmap's path, or null to write the file directly.</param>
internal sealed record IdMapStep(string Kind, IReadOnlyList<LinuxIdMapping> Maps, string? Helper)
{
    public string FileName => Kind + "_map";

    /// <summary>newuidmap/newgidmap's arguments: the pid, then container id, host id, size of each range.</summary>
    public IReadOnlyList<string> HelperArgs(int pid) =>
        [pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. Maps.SelectMany(m => new[] { m.ContainerId, m.HostId, m.Size }.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
}

/// <summary>
/// How hull writes a new user namespace's maps (decided before anything exists, so a missing helper
/// is a clear error with nothing to clean up):
/// - not RootlessEUID (real root, or root in a user namespace with its capabilities): both files
///   directly; setgroups stays allowed, so the container may set supplementary groups.
/// - RootlessEUID and a map of only the caller's own id: the file directly, as the kernel lets any
///   process map its own id; for gid_map "deny" goes to setgroups first, which the kernel requires
///   (and which closes CVE-2014-8989's hole).
/// - RootlessEUID and any other map (ranges from /etc/subuid, /etc/subgid): the setuid helpers
///   newuidmap/newgidmap (Debian package uidmap), which check the ranges against those files.
/// </summary>
internal sealed record IdMapPlan(bool DenySetgroups, IdMapStep Uid, IdMapStep Gid)
{
    internal const string UidHelper = "newuidmap", GidHelper = "newgidmap";

    /// <param name="createsUserNamespace">Without a new user namespace nothing is written (the bootstrap never asks).</param>
    /// <param name="findProgram">Resolves a program name on hull's PATH (null when absent).</param>
    public static IdMapPlan Decide(Spec spec, bool createsUserNamespace, bool rootlessEuid, uint euid, uint egid, Func<string, string?> findProgram)
    {
        var uidMaps = spec.Linux?.UidMappings ?? [];
        var gidMaps = spec.Linux?.GidMappings ?? [];
        if (!rootlessEuid || !createsUserNamespace)
            return new IdMapPlan(false, new IdMapStep("uid", uidMaps, null), new IdMapStep("gid", gidMaps, null));
        var uid = Step("uid", uidMaps, euid, UidHelper, "/etc/subuid", findProgram);
        var gid = Step("gid", gidMaps, egid, GidHelper, "/etc/subgid", findProgram);
        return new IdMapPlan(gid.Helper is null, uid, gid);
    }

    /// <summary>Whether <paramref name="maps"/> maps exactly one id, the caller's own.</summary>
    public static bool OnlyOwnId(IReadOnlyList<LinuxIdMapping> maps, uint own) =>
        maps is [{ Size: 1 } only] && only.HostId == own;

    static IdMapStep Step(string kind, IReadOnlyList<LinuxIdMapping> maps, uint own, string helper, string idFile, Func<string, string?> findProgram)
    {
        if (OnlyOwnId(maps, own)) return new IdMapStep(kind, maps, null);
        var path = findProgram(helper) ?? throw new ConfigException(
            $"the {kind} mappings map more than your own {kind} {own}: as a non-root user that needs {helper} " +
            $"(Debian package uidmap) and ranges for you in {idFile}; or map only {kind} {own} (hull spec --rootless does)",
            $"linux.{kind}Mappings");
        return new IdMapStep(kind, maps, path);
    }

    /// <summary>A lookup of programs on <paramref name="pathVariable"/> (hull's PATH), as runc resolves
    /// newuidmap/newgidmap before it starts the init. Relative entries are skipped.</summary>
    public static Func<string, string?> OnPath(string? pathVariable) => name =>
    {
        var dirs = pathVariable is { Length: > 0 } p ? p : "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in dirs.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Path.IsPathRooted(dir)) continue;
            var candidate = new FileInfo(Path.Combine(dir, name));
            if (candidate.Exists
                && (candidate.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                return candidate.FullName;
        }
        return null;
    };
}
