using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// Writes the uid/gid maps of the init's new user namespace from the parent, which has the
/// privileges the init lacks. Unprivileged, "deny" goes to setgroups first: the kernel refuses a
/// gid_map from an unprivileged writer otherwise (and it closes the setgroups hole, CVE-2014-8989).
/// </summary>
internal sealed class UserNamespaceMaps(Action<string, string> writeFile)
{
    public static UserNamespaceMaps Proc { get; } = new((path, text) =>
    {
        // One write() per file: the kernel accepts a map only once, and only in one write.
        try { File.WriteAllText(path, text); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new HullException($"writing {path}: {e.Message}", e); }
    });

    public static string Format(IReadOnlyList<LinuxIdMapping> maps) =>
        string.Concat(maps.Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));

    public void Write(int pid, Spec spec, bool privileged)
    {
        var linux = spec.Linux!;
        if (!privileged) writeFile($"/proc/{pid}/setgroups", "deny");
        writeFile($"/proc/{pid}/uid_map", Format(linux.UidMappings ?? []));
        writeFile($"/proc/{pid}/gid_map", Format(linux.GidMappings ?? []));
    }
}
