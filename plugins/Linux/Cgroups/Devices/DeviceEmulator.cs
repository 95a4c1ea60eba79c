using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>One exception of a device cgroup: a b/c device (wildcard major/minor as null) and access bits.</summary>
internal sealed record DeviceException(char Type, long? Major, long? Minor, DeviceAccess Access);

[Flags]
internal enum DeviceAccess
{
    None = 0,
    // The values of BPF_DEVCG_ACC_* so the eBPF program can use them as they are.
    Mknod = 1,
    Read = 2,
    Write = 4,
    All = Mknod | Read | Write,
}

/// <summary>
/// The v1 devices controller's semantics, replayed in user space: rules applied in order give a default
/// (allow or deny) plus a list of exceptions. cgroup v2 has no such controller, so the eBPF program is
/// generated from this state and both versions enforce the same thing. Like runc, it starts as a
/// white-list (deny everything not allowed).
/// </summary>
internal sealed class DeviceEmulator
{
    readonly List<DeviceException> exceptions = [];

    public bool DefaultAllow { get; private set; }

    public IReadOnlyList<DeviceException> Exceptions => exceptions;

    public static DeviceEmulator From(IEnumerable<LinuxDeviceCgroup> rules)
    {
        var emulator = new DeviceEmulator();
        foreach (var rule in rules) emulator.Apply(rule);
        return emulator;
    }

    public static DeviceAccess ParseAccess(string? access)
    {
        var bits = DeviceAccess.None;
        foreach (var ch in access ?? "")
            bits |= ch switch { 'r' => DeviceAccess.Read, 'w' => DeviceAccess.Write, 'm' => DeviceAccess.Mknod, _ => DeviceAccess.None };
        return bits;
    }

    public void Apply(LinuxDeviceCgroup rule)
    {
        var type = DeviceRules.TypeOf(rule);
        if (type == 'a')
        {
            // "a" resets the cgroup whatever its numbers and access say, as the kernel does.
            DefaultAllow = rule.Allow;
            exceptions.Clear();
            return;
        }
        long? major = DeviceRules.IsWildcard(rule.Major) ? null : rule.Major;
        long? minor = DeviceRules.IsWildcard(rule.Minor) ? null : rule.Minor;
        var access = ParseAccess(rule.Access);
        var index = exceptions.FindIndex(e => e.Type == type && e.Major == major && e.Minor == minor);
        if (rule.Allow == DefaultAllow)
        {
            // A rule that agrees with the default removes that access from the identical exception.
            if (index < 0) return;
            var left = exceptions[index].Access & ~access;
            if (left == DeviceAccess.None) exceptions.RemoveAt(index);
            else exceptions[index] = exceptions[index] with { Access = left };
        }
        else if (index >= 0) exceptions[index] = exceptions[index] with { Access = exceptions[index].Access | access };
        else exceptions.Add(new DeviceException(type, major, minor, access));
    }

    /// <summary>
    /// The kernel's check: with a deny default one exception must grant every requested bit; with an allow
    /// default any exception sharing a requested bit denies.
    /// </summary>
    public bool Allows(char type, long major, long minor, DeviceAccess access)
    {
        foreach (var e in exceptions)
        {
            if (e.Type != type || (e.Major is { } ma && ma != major) || (e.Minor is { } mi && mi != minor)) continue;
            if (DefaultAllow ? (e.Access & access) != 0 : (access & ~e.Access) == 0) return !DefaultAllow;
        }
        return DefaultAllow;
    }
}
