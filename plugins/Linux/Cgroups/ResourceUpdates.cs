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
}
