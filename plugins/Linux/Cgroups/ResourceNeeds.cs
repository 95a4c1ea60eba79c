using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>
/// What a linux.resources asks for. A value that is absent, 0 (runc's "unset") or -1 (unlimited, where that
/// is the kernel default) asks for nothing, so a host that cannot apply it is no error.
/// </summary>
internal static class ResourceNeeds
{
    public static bool Set(long? v) => v is { } x && x != 0 && x != -1;
    public static bool Set(ulong? v) => v is { } x && x != 0;
    public static bool Set(string? v) => !string.IsNullOrEmpty(v);

    public static bool Memory(LinuxResources? r) => r?.Memory is { } m &&
        (Set(m.Limit) || Set(m.Reservation) || Set(m.Swap) || Set(m.Kernel) || Set(m.KernelTcp) ||
         Swappiness(m.Swappiness) is not null || m.DisableOomKiller == true);

    /// <summary>Swappiness as runc reads it: absent or -1 (which a uint64 field holds as ulong.MaxValue) is unset.</summary>
    public static ulong? Swappiness(ulong? v) => v is { } x && x != ulong.MaxValue ? x : null;

    public static bool Cpu(LinuxResources? r) => r?.Cpu is { } c &&
        (Set(c.Shares) || Set(c.Quota) || Set(c.Period) || Set(c.Burst) || Set(c.RealtimeRuntime) ||
         Set(c.RealtimePeriod) || c.Idle is { } idle && idle != 0);

    public static bool Cpuset(LinuxResources? r) => r?.Cpu is { } c && (Set(c.Cpus) || Set(c.Mems));

    public static bool Pids(LinuxResources? r) => r?.Pids is { } p && Set(p.Limit);

    public static bool BlockIO(LinuxResources? r) => r?.BlockIO is { } b &&
        (Set(b.Weight) || Set(b.LeafWeight) || b.WeightDevice is { Count: > 0 } ||
         b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 } ||
         b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 });

    static bool Set(ushort? v) => v is { } x && x != 0;

    public static bool Hugetlb(LinuxResources? r) => r?.HugepageLimits is { Count: > 0 };

    public static bool NetCls(LinuxResources? r) => r?.Network?.ClassId is { } id && id != 0;

    public static bool NetPrio(LinuxResources? r) => r?.Network?.Priorities is { Count: > 0 };

    public static bool Rdma(LinuxResources? r) => r?.Rdma is { Count: > 0 };

    public static bool Unified(LinuxResources? r) => r?.Unified is { Count: > 0 };

    /// <summary>Any limit at all, device rules aside (rootless hull ignores cgroup errors only when this is false).</summary>
    public static bool AnyLimit(LinuxResources? r) =>
        Memory(r) || Cpu(r) || Cpuset(r) || Pids(r) || BlockIO(r) || Hugetlb(r) || NetCls(r) || NetPrio(r) || Rdma(r) || Unified(r);

    /// <summary>Limits that need v2 domain controllers, which a threaded subtree cannot have.</summary>
    public static bool DomainControllers(LinuxResources? r) => Memory(r) || BlockIO(r) || Cpu(r) || Hugetlb(r);
}
