using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups.V2;
using Hull.Plugins.Linux.Interop;
using static Hull.Plugins.Linux.Cgroups.ResourceWriter;

namespace Hull.Plugins.Linux.Cgroups.V1;

// linux.resources on v1: one writer per controller, in runc's subsystem order.
internal sealed partial class CgroupV1Manager
{
    const string R = "linux.resources.";

    public void Set(LinuxResources resources)
    {
        if (ResourceNeeds.Unified(resources))
            throw new CgroupException($"cannot apply {R}unified: it needs cgroup v2, and this host's container cgroups are v1");
        SetCpuset(resources);
        if (resources.Devices is { } devices) SetDevices(devices);
        SetMemory(resources);
        SetCpu(resources);
        SetPids(resources);
        SetBlockIO(resources);
        SetHugetlb(resources);
        SetNetwork(resources);
        SetRdma(resources);
    }

    /// <summary>The writer for a controller's directory, or a clear error naming the resource that needs it.</summary>
    ResourceWriter Need(string controller, string resource) => Controller(controller, resource, needed: true)!.Value;

    /// <summary>
    /// The writer for a controller's directory. Without one: null when the values only restate the defaults
    /// (nothing to enforce), else a clear error naming the resource.
    /// </summary>
    ResourceWriter? Controller(string controller, string resource, bool needed)
    {
        if (paths.TryGetValue(controller, out var dir)) return new ResourceWriter(fs, dir);
        if (!needed) return null;
        var why = rootless
            ? $"the {controller} controller is not mounted, or rootless hull could not create the container's {controller} cgroup (it needs write access to that hierarchy)"
            : $"the {controller} cgroup controller is not mounted on this host";
        throw new CgroupException($"cannot apply {resource}: {why}");
    }

    void SetCpuset(LinuxResources r)
    {
        if (r.Cpu is not { } c || !ResourceNeeds.Cpuset(r)) return;
        var w = Need("cpuset", ResourceNeeds.Set(c.Cpus) ? R + "cpu.cpus" : R + "cpu.mems");
        if (ResourceNeeds.Set(c.Cpus)) w.Write("cpuset.cpus", c.Cpus!, R + "cpu.cpus");
        if (ResourceNeeds.Set(c.Mems)) w.Write("cpuset.mems", c.Mems!, R + "cpu.mems");
    }

    static readonly LinuxDeviceCgroup DenyAll = new() { Allow = false, Type = "a", Access = "rwm" };

    /// <summary>
    /// The rules in config order, each to devices.allow or devices.deny. Like runc the result is a
    /// white-list: unless the rules start by resetting the cgroup ("a"), everything is denied first.
    /// </summary>
    void SetDevices(IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        if (rules.Count == 0) return;
        IEnumerable<LinuxDeviceCgroup> writes = DeviceRules.TypeOf(rules[0]) == 'a' ? rules : [DenyAll, .. rules];
        try
        {
            var w = Need("devices", R + "devices");
            foreach (var rule in writes)
                w.Write(rule.Allow ? "devices.allow" : "devices.deny", DeviceRules.V1Text(rule), R + "devices");
        }
        catch (CgroupException) when (rootless)
        {
            // runc: device rules are not expected to work rootless (no devices cgroup of one's own).
        }
    }

    void SetMemory(LinuxResources r)
    {
        if (r.Memory is not { } m || Controller("memory", R + "memory", ResourceNeeds.Memory(r)) is not { } w) return;
        var limit = m.Limit ?? 0;
        var swap = m.Swap ?? 0;
        // Unlimited memory with swap unset means unlimited swap too (runc), where the kernel accounts swap.
        if (limit == -1 && swap == 0 && w.Has("memory.memsw.limit_in_bytes")) swap = -1;
        // memsw must stay >= memory at every step, so raise swap first when growing, else memory first.
        var swapFirst = limit != 0 && swap != 0 &&
            (swap == -1 || fs.ReadUInt64(Path.Combine(w.Dir, "memory.limit_in_bytes")) < (ulong)swap);
        if (swapFirst) { SetSwap(w, swap); SetMemoryLimit(w, limit); }
        else { SetMemoryLimit(w, limit); SetSwap(w, swap); }

        if (m.Kernel is { } kernel && kernel != 0) w.Write("memory.kmem.limit_in_bytes", kernel, R + "memory.kernel");
        if (m.KernelTcp is { } tcp && tcp != 0) w.Write("memory.kmem.tcp.limit_in_bytes", tcp, R + "memory.kernelTCP");
        if (m.Reservation is { } soft && soft != 0) w.Write("memory.soft_limit_in_bytes", soft, R + "memory.reservation");
        if (m.DisableOomKiller == true) w.Write("memory.oom_control", "1", R + "memory.disableOOMKiller");
        if (ResourceNeeds.Swappiness(m.Swappiness) is { } swappiness)
        {
            if (swappiness > 100)
                throw new CgroupException($"invalid {R}memory.swappiness {swappiness}: the valid range is 0-100");
            w.Write("memory.swappiness", swappiness, R + "memory.swappiness");
        }
    }

    static void SetMemoryLimit(ResourceWriter w, long limit)
    {
        if (limit == 0) return;
        // EBUSY: the kernel refuses a limit below what the cgroup already uses.
        if (!w.TryWrite("memory.limit_in_bytes", Text(limit), R + "memory.limit", CgroupNative.EBUSY))
            throw new CgroupException(
                $"cannot apply {R}memory.limit = {limit}: it is below the container's current memory usage ({w.Read("memory.usage_in_bytes")} bytes, peak {w.Read("memory.max_usage_in_bytes")})");
    }

    static void SetSwap(ResourceWriter w, long swap)
    {
        if (swap != 0) w.Write("memory.memsw.limit_in_bytes", swap, R + "memory.swap");
    }

    void SetCpu(LinuxResources r)
    {
        if (r.Cpu is not { } c || Controller("cpu", R + "cpu", ResourceNeeds.Cpu(r)) is not { } w) return;
        if (ResourceNeeds.Set(c.Shares))
        {
            w.Write("cpu.shares", c.Shares!.Value, R + "cpu.shares");
            // The kernel clamps shares silently: report the clamp instead of pretending.
            var actual = fs.ReadUInt64(Path.Combine(w.Dir, "cpu.shares"));
            if (actual != c.Shares)
                throw new CgroupException($"cannot apply {R}cpu.shares = {c.Shares}: the {(actual < c.Shares ? "maximum" : "minimum")} allowed cpu-shares is {actual}");
        }
        // A shorter period can be refused (EINVAL) while the old quota is in place: then retry it after the quota.
        var quotaSet = c.Quota is { } q && q != 0;
        var periodPending = ResourceNeeds.Set(c.Period) &&
            !w.TryWrite("cpu.cfs_period_us", Text(c.Period!.Value), R + "cpu.period", quotaSet ? CgroupNative.EINVAL : 0);
        if (c.Quota is { } quota && quota != 0)
        {
            w.Write("cpu.cfs_quota_us", quota, R + "cpu.quota");
            if (periodPending) w.Write("cpu.cfs_period_us", c.Period!.Value, R + "cpu.period");
        }
        if (c.Burst is { } burst) w.Write("cpu.cfs_burst_us", burst, R + "cpu.burst");
        if (c.Idle is { } idle) w.Write("cpu.idle", idle, R + "cpu.idle");
        SetRealtime(w, c);
    }

    /// <summary>
    /// rt_period and rt_runtime depend on each other: when the new runtime does not fit the current period,
    /// the period must be raised first, so a refused period is retried after the runtime (runc's order).
    /// </summary>
    static void SetRealtime(ResourceWriter w, LinuxCpu c)
    {
        var runtimeSet = c.RealtimeRuntime is { } rt && rt != 0;
        var periodPending = ResourceNeeds.Set(c.RealtimePeriod) &&
            !w.TryWrite("cpu.rt_period_us", Text(c.RealtimePeriod!.Value), R + "cpu.realtimePeriod", runtimeSet ? CgroupNative.EINVAL : 0);
        if (c.RealtimeRuntime is { } runtime && runtime != 0)
        {
            w.Write("cpu.rt_runtime_us", runtime, R + "cpu.realtimeRuntime");
            if (periodPending) w.Write("cpu.rt_period_us", c.RealtimePeriod!.Value, R + "cpu.realtimePeriod");
        }
    }

    void SetPids(LinuxResources r)
    {
        // 0 leaves the limit alone (runc); negative is "no limit", written so an update can lift a limit.
        if (r.Pids is not { Limit: not 0 } pids || Controller("pids", R + "pids.limit", ResourceNeeds.Pids(r)) is not { } w) return;
        w.Write("pids.max", pids.Limit > 0 ? Text(pids.Limit) : "max", R + "pids.limit");
    }

    void SetBlockIO(LinuxResources r)
    {
        if (r.BlockIO is not { } b || !ResourceNeeds.BlockIO(r)) return;
        var w = Need("blkio", R + "blockIO");
        // CFQ's blkio.weight is gone from current kernels; BFQ offers blkio.bfq.weight with the same range.
        var bfq = !w.Has("blkio.weight") && w.Has("blkio.bfq.weight");
        var weightFile = bfq ? "blkio.bfq.weight" : "blkio.weight";
        if (b.Weight is { } weight && weight != 0) w.Write(weightFile, weight, R + "blockIO.weight");
        if (b.LeafWeight is { } leaf && leaf != 0) w.Write("blkio.leaf_weight", leaf, R + "blockIO.leafWeight");
        foreach (var d in b.WeightDevice ?? [])
        {
            if (d.Weight is { } dw && dw != 0) w.Write(weightFile + "_device", $"{d.Major}:{d.Minor} {dw}", R + "blockIO.weightDevice");
            if (d.LeafWeight is { } dl && dl != 0) w.Write("blkio.leaf_weight_device", $"{d.Major}:{d.Minor} {dl}", R + "blockIO.weightDevice.leafWeight");
        }
        Throttle(w, b.ThrottleReadBpsDevice, "blkio.throttle.read_bps_device", "throttleReadBpsDevice");
        Throttle(w, b.ThrottleWriteBpsDevice, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice");
        Throttle(w, b.ThrottleReadIopsDevice, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice");
        Throttle(w, b.ThrottleWriteIopsDevice, "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice");
    }

    static void Throttle(ResourceWriter w, IReadOnlyList<LinuxThrottleDevice>? devices, string file, string name)
    {
        foreach (var d in devices ?? []) w.Write(file, $"{d.Major}:{d.Minor} {d.Rate}", R + "blockIO." + name);
    }

    /// <summary>
    /// v1 hugetlb when mounted. A hybrid host may have bound hugetlb to the unified hierarchy instead (as this
    /// kind of machine does): then the limits go there, which runc silently skips.
    /// </summary>
    void SetHugetlb(LinuxResources r)
    {
        if (!ResourceNeeds.Hugetlb(r)) return;
        if (paths.ContainsKey("hugetlb") || !paths.TryGetValue("", out var unified))
        {
            var w = Need("hugetlb", R + "hugepageLimits");
            foreach (var l in r.HugepageLimits!)
            {
                w.Write($"hugetlb.{l.Pagesize}.limit_in_bytes", l.Limit, $"{R}hugepageLimits[{l.Pagesize}]");
                // Reservations (Linux 5.7+) must not stay below the fault limit or reserving pages still succeeds.
                if (w.Has($"hugetlb.{l.Pagesize}.rsvd.limit_in_bytes"))
                    w.Write($"hugetlb.{l.Pagesize}.rsvd.limit_in_bytes", l.Limit, $"{R}hugepageLimits[{l.Pagesize}]");
            }
            return;
        }
        V2Hugetlb.Enable(fs, unified, R + "hugepageLimits");
        V2Hugetlb.Set(new ResourceWriter(fs, unified), r.HugepageLimits!);
    }

    void SetNetwork(LinuxResources r)
    {
        if (ResourceNeeds.NetCls(r))
            Need("net_cls", R + "network.classID").Write("net_cls.classid", r.Network!.ClassId!.Value, R + "network.classID");
        if (ResourceNeeds.NetPrio(r))
        {
            var w = Need("net_prio", R + "network.priorities");
            foreach (var p in r.Network!.Priorities!)
                w.Write("net_prio.ifpriomap", $"{p.Name} {p.Priority}", R + "network.priorities");
        }
    }

    void SetRdma(LinuxResources r)
    {
        if (!ResourceNeeds.Rdma(r)) return;
        var w = Need("rdma", R + "rdma");
        foreach (var (device, limit) in r.Rdma!) w.Write("rdma.max", ResourceWriter.RdmaLine(device, limit), R + "rdma");
    }
}
