using System.Globalization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Rootless;

/// <summary>
/// What a config must satisfy when hull runs as a non-root user (RootlessEUID), checked before
/// anything exists so the refusal is clear and leaves nothing behind (runc's rootlessEUIDCheck).
/// Cgroups are not part of it: the cgroup manager decides those by RootlessCgroups.
/// </summary>
internal static class RootlessConfig
{
    public static void Check(Spec spec, bool rootlessEuid, uint euid)
    {
        if (!rootlessEuid) return;
        var user = spec.Linux?.Namespaces?.FirstOrDefault(n => n.Type == "user");
        if (user is null)
            throw new ConfigException(
                $"rootless container requires a user namespace: hull runs as uid {euid}, which may not create the other namespaces " +
                "without one; add {\"type\": \"user\"} to linux.namespaces with uidMappings and gidMappings (hull spec --rootless writes such a config)",
                "linux.namespaces");
        // A joined user namespace brings its own maps; the option ids are then the kernel's to judge.
        if (!string.IsNullOrEmpty(user.Path)) return;
        foreach (var mount in spec.Mounts ?? [])
            foreach (var option in mount.Options ?? [])
            {
                CheckMapped(option, "uid=", spec.Linux?.UidMappings, mount.Destination, "linux.uidMappings");
                CheckMapped(option, "gid=", spec.Linux?.GidMappings, mount.Destination, "linux.gidMappings");
            }
    }

    /// <summary>A uid=/gid= mount option must name an id the user namespace maps: nothing else can own the files.</summary>
    static void CheckMapped(string option, string prefix, IReadOnlyList<LinuxIdMapping>? maps, string destination, string mapsPath)
    {
        if (!option.StartsWith(prefix, StringComparison.Ordinal)
            || !uint.TryParse(option.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return;
        if ((maps ?? []).Any(m => id >= m.ContainerId && id - m.ContainerId < m.Size)) return;
        throw new ConfigException(
            $"cannot specify {option} mount option for rootless container: {prefix.TrimEnd('=')} {id} is not mapped by {mapsPath}; " +
            $"remove the option from the mount on {destination} or map that id", "mounts");
    }
}
