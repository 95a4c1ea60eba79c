using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>The device cgroup rules a container gets, and their v1 text form.</summary>
internal static class DeviceRules
{
    /// <summary>
    /// Rules runc appends after the config's own: mknod of any device, and the standard /dev nodes. runc
    /// 1.1 also allowed /dev/net/tun (10:200); runc 1.2 dropped that rule because it let every container
    /// open tun, and hull follows the newer, safer list.
    /// </summary>
    public static readonly IReadOnlyList<(string? Path, LinuxDeviceCgroup Rule)> Defaults =
    [
        (null, Allow("c", null, null, "m")),
        (null, Allow("b", null, null, "m")),
        ("/dev/null", Allow("c", 1, 3, "rwm")),
        ("/dev/random", Allow("c", 1, 8, "rwm")),
        ("/dev/full", Allow("c", 1, 7, "rwm")),
        ("/dev/tty", Allow("c", 5, 0, "rwm")),
        ("/dev/zero", Allow("c", 1, 5, "rwm")),
        ("/dev/urandom", Allow("c", 1, 9, "rwm")),
        (null, Allow("c", 136, null, "rwm")), // /dev/pts/*
        (null, Allow("c", 5, 2, "rwm")),      // /dev/ptmx
    ];

    static LinuxDeviceCgroup Allow(string type, long? major, long? minor, string access) =>
        new() { Allow = true, Type = type, Major = major, Minor = minor, Access = access };

    /// <summary>
    /// linux.resources.devices (validated) followed by the defaults; a default whose path the config lists
    /// in linux.devices is left out, the config's device taking its place (runc's behaviour).
    /// </summary>
    public static List<LinuxDeviceCgroup> Effective(Spec spec)
    {
        var rules = new List<LinuxDeviceCgroup>();
        var configured = spec.Linux?.Resources?.Devices ?? [];
        for (var i = 0; i < configured.Count; i++)
        {
            Validate(configured[i], i);
            rules.Add(configured[i]);
        }
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in spec.Linux?.Devices ?? []) listed.Add(device.Path);
        // Loops, not LINQ: LINQ over the tuples makes NativeAOT load generic code at run time (~0.1 ms of create).
        foreach (var (path, rule) in Defaults)
            if (path is null || !listed.Contains(path)) rules.Add(rule);
        return rules;
    }

    public static void Validate(LinuxDeviceCgroup rule, int index)
    {
        var where = $"linux.resources.devices[{index}]";
        if (rule.Type is not (null or "" or "a" or "b" or "c"))
            throw new CgroupException($"{where}.type \"{rule.Type}\" is invalid: use \"a\", \"b\" or \"c\"");
        if (string.IsNullOrEmpty(rule.Access))
            throw new CgroupException($"{where}.access is empty: give any of \"r\", \"w\", \"m\"");
        if (rule.Access.Any(ch => ch is not ('r' or 'w' or 'm')))
            throw new CgroupException($"{where}.access \"{rule.Access}\" is invalid: use only \"r\", \"w\" and \"m\"");
    }

    public static char TypeOf(LinuxDeviceCgroup rule) => string.IsNullOrEmpty(rule.Type) ? 'a' : rule.Type[0];

    /// <summary>A major or minor that matches every device: absent or -1 ("*").</summary>
    public static bool IsWildcard(long? number) => number is null or -1;

    /// <summary>"c 1:3 rwm", "a *:* rwm" as devices.allow and devices.deny take them.</summary>
    public static string V1Text(LinuxDeviceCgroup rule)
    {
        static string Number(long? n) => IsWildcard(n) ? "*" : n!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{TypeOf(rule)} {Number(rule.Major)}:{Number(rule.Minor)} {rule.Access}";
    }
}
