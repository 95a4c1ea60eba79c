using System.Buffers.Binary;
using System.Text;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Process;

/// <summary>The CLONE_NEW* flag of each OCI namespace type.</summary>
internal static class NamespaceFlags
{
    internal const uint Mount = 0x00020000, Cgroup = 0x02000000, Uts = 0x04000000, Ipc = 0x08000000,
        User = 0x10000000, Pid = 0x20000000, Network = 0x40000000, Time = 0x00000080;

    internal static uint Of(string type) => type switch
    {
        "mount" => Mount,
        "cgroup" => Cgroup,
        "uts" => Uts,
        "ipc" => Ipc,
        "user" => User,
        "pid" => Pid,
        "network" => Network,
        "time" => Time,
        _ => throw new ConfigException($"namespace type \"{type}\" is not supported: use one of cgroup, ipc, mount, network, pid, time, user, uts", "linux.namespaces"),
    };
}

/// <summary>
/// The cgroups the bootstrap enters by itself (see bootstrap.c: far cheaper than hull moving it):
/// v1 directories it moves its one thread into, and the v2 directory its init is cloned into.
/// </summary>
internal sealed record CgroupEntry(IReadOnlyList<string> V1, string? V2)
{
    /// <summary>From a cgroup manager's <c>Paths</c>: "" is the unified (v2) directory, the rest v1 hierarchies.</summary>
    public static CgroupEntry From(IReadOnlyDictionary<string, string> paths)
    {
        // A loop, not LINQ over the pairs: that makes NativeAOT load generic code at run time (~0.1 ms of create).
        var v1 = new List<string>();
        foreach (var (controller, path) in paths)
            if (controller.Length > 0 && !v1.Contains(path)) v1.Add(path);
        return new(v1, paths.TryGetValue("", out var unified) ? unified : null);
    }
}

/// <summary>
/// What the C bootstrap (native/bootstrap.c) does before .NET starts in the container: the
/// namespaces to create, the ones to join by path, the time-namespace offsets and the cgroups to
/// enter. Encoded as the BOOT_DATA attributes that bootstrap.c parses.
/// </summary>
internal sealed record BootstrapData(uint CloneFlags, IReadOnlyList<(uint Type, string Path)> Joins, string? TimeOffsets)
{
    const uint AttrCloneFlags = 1, AttrNsPath = 2, AttrTimeOffsets = 3, AttrOomScoreAdj = 4, AttrCgroupV1 = 5, AttrCgroupV2 = 6;

    /// <summary>
    /// process.oomScoreAdj, written by the bootstrap before it makes itself non-dumpable: after
    /// that, /proc/self/oom_score_adj belongs to the host's root, and an unprivileged hull could
    /// not even raise it (runc writes it at the same point).
    /// </summary>
    public int? OomScoreAdj { get; init; }

    /// <summary>The cgroups the init enters by itself; null: hull places it (rootless, where a
    /// cgroup hull may not write is tolerated).</summary>
    public CgroupEntry? Cgroups { get; init; }

    public bool CreatesUserNamespace => (CloneFlags & NamespaceFlags.User) != 0;

    public bool CreatesOrJoins(uint flag) => (CloneFlags & flag) != 0 || Joins.Any(j => j.Type == flag);

    /// <summary>Reads the namespace part of a config, refusing what the kernel would refuse later, less clearly.</summary>
    public static BootstrapData From(Spec spec)
    {
        uint flags = 0;
        var joins = new List<(uint, string)>();
        var seen = new HashSet<string>();
        foreach (var ns in spec.Linux?.Namespaces ?? [])
        {
            var flag = NamespaceFlags.Of(ns.Type);
            if (!seen.Add(ns.Type))
                throw new ConfigException($"namespace type \"{ns.Type}\" is listed twice", "linux.namespaces");
            if (string.IsNullOrEmpty(ns.Path)) flags |= flag;
            else joins.Add((flag, ns.Path));
        }

        // Without its own UTS namespace the container would rename the host.
        if (!seen.Contains("uts"))
        {
            if (!string.IsNullOrEmpty(spec.Hostname)) throw new ConfigException("unable to set hostname without a private UTS namespace");
            if (!string.IsNullOrEmpty(spec.Domainname)) throw new ConfigException("unable to set domainname without a private UTS namespace");
        }

        var userNs = seen.Contains("user");
        var uidMaps = spec.Linux?.UidMappings ?? [];
        var gidMaps = spec.Linux?.GidMappings ?? [];
        if ((flags & NamespaceFlags.User) != 0 && (uidMaps.Count == 0 || gidMaps.Count == 0))
            throw new ConfigException("a new user namespace needs uidMappings and gidMappings", "linux");
        if (!userNs && (uidMaps.Count > 0 || gidMaps.Count > 0))
            throw new ConfigException("uidMappings/gidMappings are set but there is no user namespace: add {\"type\": \"user\"} to linux.namespaces", "linux");

        string? offsets = null;
        if (spec.Linux?.TimeOffsets is { Count: > 0 } timeOffsets)
        {
            if ((flags & NamespaceFlags.Time) == 0)
                throw new ConfigException("timeOffsets need a new time namespace: add {\"type\": \"time\"} to linux.namespaces", "linux.timeOffsets");
            var text = new StringBuilder();
            foreach (var (clock, offset) in timeOffsets)
            {
                if (clock is not ("monotonic" or "boottime"))
                    throw new ConfigException($"clock \"{clock}\" has no time-namespace offset: use monotonic or boottime", "linux.timeOffsets");
                text.Append($"{clock} {offset.Secs} {offset.Nanosecs}\n");
            }
            offsets = text.ToString();
        }
        return new BootstrapData(flags, joins, offsets) { OomScoreAdj = spec.Process?.OomScoreAdj };
    }

    public byte[] Encode()
    {
        var buffer = new List<byte>(256);
        Span<byte> u32 = stackalloc byte[4];
        void Attr(uint attr, ReadOnlySpan<byte> value)
        {
            Span<byte> head = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(head, attr);
            BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)value.Length);
            buffer.AddRange(head);
            buffer.AddRange(value);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(u32, CloneFlags);
        Attr(AttrCloneFlags, u32);
        // Paths go NUL-terminated, so that the C side uses them in place.
        static byte[] Path(string path, int prefix = 0)
        {
            var value = new byte[prefix + Encoding.UTF8.GetByteCount(path) + 1];
            Encoding.UTF8.GetBytes(path, value.AsSpan(prefix));
            return value;
        }
        foreach (var (type, path) in Joins)
        {
            var value = Path(path, prefix: 4);
            BinaryPrimitives.WriteUInt32LittleEndian(value, type);
            Attr(AttrNsPath, value);
        }
        foreach (var dir in Cgroups?.V1 ?? []) Attr(AttrCgroupV1, Path(dir));
        if (Cgroups?.V2 is { } v2) Attr(AttrCgroupV2, Path(v2));
        if (TimeOffsets is not null) Attr(AttrTimeOffsets, Encoding.UTF8.GetBytes(TimeOffsets));
        if (OomScoreAdj is { } adj) Attr(AttrOomScoreAdj, Encoding.UTF8.GetBytes(adj.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return buffer.ToArray();
    }
}
