using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Setup;

/// <summary>process.rlimits by name → resource number, and applying them with prlimit(2).</summary>
internal static class Rlimits
{
    /// <summary>Kernel order: a name's index is its RLIMIT_* number.</summary>
    internal static IReadOnlyList<string> Names { get; } =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>Checks every rlimit of the config (create calls it before starting anything).</summary>
    internal static void Validate(IReadOnlyList<PosixRlimit>? rlimits)
    {
        var list = rlimits ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var r = list[i];
            if (Resource(r.Type) < 0)
                throw new ConfigException($"wrong rlimit value: {r.Type}", $"process.rlimits[{i}].type");
            if (r.Soft > r.Hard)
                throw new ConfigException($"{r.Type}: soft limit {r.Soft} is above the hard limit {r.Hard}", $"process.rlimits[{i}]");
        }
    }

    internal static int Resource(string name)
    {
        for (var i = 0; i < Names.Count; i++)
            if (string.Equals(Names[i], name, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>
    /// Sets each limit on <paramref name="pid"/> (0: the caller). runc does it from the parent
    /// once the init is ready, since in a user namespace the init could no longer raise a hard
    /// limit; doing it just before execve in the init is the same for a privileged container.
    /// </summary>
    internal static void Apply(IReadOnlyList<PosixRlimit>? rlimits, int pid, IProcessOps ops)
    {
        Validate(rlimits);
        foreach (var r in rlimits ?? [])
        {
            var resource = Resource(r.Type);
            var errno = ops.SetRlimit(pid, resource, r.Soft, r.Hard);
            if (errno == 0) continue;
            var why = Interop.SyscallException.Describe(errno);
            if (errno == Interop.SyscallException.EPERM && ops.GetRlimit(pid, resource) is { } current && r.Hard > current.Hard)
                why += $": the hard limit can only be raised above the current {Show(current.Hard)} with CAP_SYS_RESOURCE";
            throw new HullException($"error setting rlimit {r.Type} (soft {Show(r.Soft)}, hard {Show(r.Hard)}): {why}");
        }
    }

    static string Show(ulong limit) => limit == ulong.MaxValue ? "unlimited" : limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
