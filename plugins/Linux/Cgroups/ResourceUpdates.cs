using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>
/// `update`: the values given (by -r JSON or the per-resource flags) replace the saved ones; absent ones
/// keep them. The merged resources go to <see cref="ICgroupManager.Set"/> whole, because some values only
/// make sense with their partner's current value (memory and swap, cpu quota and period).
/// </summary>
internal static class ResourceUpdates
{
    /// <summary>
    /// The container's resources after the update. Apply it with
    /// <c>manager.Set(merged with { Devices = null })</c> (update never changes device rules, as in runc),
    /// then save the merged value in the state so `state` and later updates see it.
    /// </summary>
    public static LinuxResources Merge(LinuxResources? saved, LinuxResources update)
    {
        saved ??= new LinuxResources();
        var memory = Merge(saved.Memory, update.Memory);
        // Unlimited memory with swap not given means unlimited swap too (runc, for v1 compatibility).
        if (update.Memory?.Limit == -1 && update.Memory.Swap is null && memory is not null) memory = memory with { Swap = -1 };
        return saved with
        {
            Memory = memory,
            Cpu = Merge(saved.Cpu, update.Cpu),
            Pids = update.Pids is { Limit: not 0 } pids ? pids : saved.Pids,
            BlockIO = update.BlockIO?.Weight is { } weight ? (saved.BlockIO ?? new LinuxBlockIO()) with { Weight = weight } : saved.BlockIO,
            Unified = update.Unified is { Count: > 0 } unified ? Union(saved.Unified, unified) : saved.Unified,
        };
    }

    static LinuxMemory? Merge(LinuxMemory? saved, LinuxMemory? update)
    {
        if (update is null) return saved;
        var m = saved ?? new LinuxMemory();
        return m with
        {
            Limit = update.Limit ?? m.Limit,
            Reservation = update.Reservation ?? m.Reservation,
            Swap = update.Swap ?? m.Swap,
            CheckBeforeUpdate = update.CheckBeforeUpdate ?? m.CheckBeforeUpdate,
        };
    }

    static LinuxCpu? Merge(LinuxCpu? saved, LinuxCpu? update)
    {
        if (update is null) return saved;
        var c = saved ?? new LinuxCpu();
        return c with
        {
            Shares = update.Shares ?? c.Shares,
            Quota = update.Quota ?? c.Quota,
            Period = update.Period ?? c.Period,
            Burst = update.Burst ?? c.Burst,
            RealtimeRuntime = update.RealtimeRuntime ?? c.RealtimeRuntime,
            RealtimePeriod = update.RealtimePeriod ?? c.RealtimePeriod,
            Cpus = string.IsNullOrEmpty(update.Cpus) ? c.Cpus : update.Cpus,
            Mems = string.IsNullOrEmpty(update.Mems) ? c.Mems : update.Mems,
            Idle = update.Idle ?? c.Idle,
        };
    }

    static Dictionary<string, string> Union(IReadOnlyDictionary<string, string>? saved, IReadOnlyDictionary<string, string> update)
    {
        var merged = saved is null ? new Dictionary<string, string>() : new Dictionary<string, string>(saved);
        foreach (var (k, v) in update) merged[k] = v;
        return merged;
    }

    /// <summary>
    /// Refuses values the kernel would refuse less clearly (or clamp silently), before anything is written.
    /// Messages name the field and the update flag that sets it. 0 means "leave it" throughout, as in runc.
    /// </summary>
    public static void Validate(LinuxResources update)
    {
        if (update.Memory is { } m)
        {
            NotBelowUnlimited(m.Limit, "memory.limit", "--memory");
            NotBelowUnlimited(m.Reservation, "memory.reservation", "--memory-reservation");
            NotBelowUnlimited(m.Swap, "memory.swap", "--memory-swap");
        }
        if (update.Cpu is { } c)
        {
            if (c.Shares is { } shares && shares != 0 && shares is < MinShares or > MaxShares)
                throw Invalid("cpu.shares", "--cpu-share", shares, $"cpu shares are from {MinShares} to {MaxShares}");
            if (c.Period is { } period && period != 0 && period is < MinPeriod or > MaxPeriod)
                throw Invalid("cpu.period", "--cpu-period", period, $"the CFS period is from {MinPeriod} to {MaxPeriod} microseconds");
            if (c.Quota is { } quota && quota is not (0 or -1) && quota < (long)MinPeriod)
                throw Invalid("cpu.quota", "--cpu-quota", quota, $"the CFS quota is at least {MinPeriod} microseconds, or -1 for no limit");
            if (c.RealtimeRuntime is < -1)
                throw Invalid("cpu.realtimeRuntime", "--cpu-rt-runtime", c.RealtimeRuntime, "use microseconds, or -1 for no limit");
            if (c.Idle is { } idle && idle is not (0 or 1))
                throw Invalid("cpu.idle", "--cpu-idle", idle, "use 0 (normal scheduling) or 1 (SCHED_IDLE)");
            CpuList(c.Cpus, "cpu.cpus", "--cpuset-cpus");
            CpuList(c.Mems, "cpu.mems", "--cpuset-mems");
        }
        if (update.BlockIO?.Weight is { } weight && weight != 0 && weight is < 10 or > 1000)
            throw Invalid("blockIO.weight", "--blkio-weight", weight, "the weight is from 10 to 1000");
    }

    /// <summary>The rules between values, checked on the merged result (one side may be the saved value).</summary>
    public static void ValidateMerged(LinuxResources merged)
    {
        if (merged.Memory is { Swap: > 0 } m)
        {
            // swap is memory+swap (v1's memsw), so it needs a memory limit it is at least as large as.
            if (m.Limit is null or <= 0)
                throw new CgroupException($"cannot set memory.swap (--memory-swap) to {m.Swap} without a memory limit: memory plus swap can only be limited along with memory (--memory)");
            if (m.Swap < m.Limit)
                throw new CgroupException($"memory.swap (--memory-swap) {m.Swap} is below memory.limit (--memory) {m.Limit}: it counts memory plus swap, so make it at least the memory limit, or -1 for unlimited swap");
        }
        if (merged.Cpu is { Quota: > 0, Burst: > 0 } c && (long)c.Burst!.Value > c.Quota)
            throw new CgroupException($"cpu.burst (--cpu-burst) {c.Burst} is above cpu.quota (--cpu-quota) {c.Quota}: the kernel allows a burst of at most the quota");
    }

    /// <summary>
    /// The fields of an update that <see cref="Merge"/> does not apply (runc's update does not either), so the
    /// caller can say so instead of dropping them silently.
    /// </summary>
    public static IReadOnlyList<string> Unapplied(LinuxResources update)
    {
        var names = new List<string>();
        void Add(bool given, string name)
        {
            if (given) names.Add(name);
        }
        Add(update.Devices is { Count: > 0 }, "devices");
        Add(update.Memory?.Kernel is { } k && k != 0, "memory.kernel");
        Add(update.Memory?.KernelTcp is { } t && t != 0, "memory.kernelTCP");
        Add(update.Memory?.Swappiness is not null, "memory.swappiness");
        Add(update.Memory?.DisableOomKiller is not null, "memory.disableOOMKiller");
        Add(update.BlockIO is { } b && (b.LeafWeight is not null || b.WeightDevice is { Count: > 0 } ||
            b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 } ||
            b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 }), "blockIO (other than weight)");
        Add(update.HugepageLimits is { Count: > 0 }, "hugepageLimits");
        Add(update.Network is not null, "network");
        Add(update.Rdma is { Count: > 0 }, "rdma");
        return names;
    }

    // The kernel's bounds: cpu.shares (v1 MIN/MAX_SHARES) and the CFS period (1 ms to 1 s).
    const ulong MinShares = 2, MaxShares = 262144, MinPeriod = 1000, MaxPeriod = 1000000;

    static void NotBelowUnlimited(long? value, string field, string flag)
    {
        if (value is < -1) throw Invalid(field, flag, value, "use a size in bytes, or -1 for no limit");
    }

    /// <summary>The kernel's list format: "0-3,5", no spaces.</summary>
    static void CpuList(string? list, string field, string flag)
    {
        if (string.IsNullOrEmpty(list)) return;
        static bool Number(string n) => n.Length > 0 && n.All(char.IsAsciiDigit);
        foreach (var item in list.Split(','))
        {
            var range = item.Split('-');
            if (range.Length > 2 || !range.All(Number))
                throw Invalid(field, flag, list, "use a list of numbers and ranges such as 0-3,5");
        }
    }

    static CgroupException Invalid<T>(string field, string flag, T value, string rule) =>
        new($"invalid {field} ({flag}) {value}: {rule}");
}
