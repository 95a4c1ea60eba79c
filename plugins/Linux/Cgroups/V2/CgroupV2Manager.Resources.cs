using Hull.Abstractions.Oci;
using static Hull.Plugins.Linux.Cgroups.ResourceWriter;

namespace Hull.Plugins.Linux.Cgroups.V2;

// linux.resources on v2: the OCI (v1-shaped) values mapped onto the unified files, in runc's order.
internal sealed partial class CgroupV2Manager
{
    const string R = "linux.resources.";

    public void Set(LinuxResources resources)
    {
        if (!placed)
        {
            if (ResourceNeeds.AnyLimit(resources))
                throw new CgroupException($"cannot apply {R}: the container has no cgroup (rootless hull could not create one; delegate a cgroup v2 subtree to this user, or drop the limits)");
            return;
        }
        var w = new ResourceWriter(fs, dir);
        RefuseV1Only(resources);
        SetPids(w, resources);
        SetMemory(w, resources);
        SetIo(w, resources);
        SetCpu(w, resources);
        if (resources.Devices is { Count: > 0 } devices)
        {
            try { deviceFilter.Install(dir, DeviceFilterProgram.Build(DeviceEmulator.From(devices))); }
            catch (CgroupException) when (rootless) { } // runc: device rules are not expected to work rootless
        }
        SetCpuset(w, resources);
        if (ResourceNeeds.Hugetlb(resources))
        {
            Need("hugetlb", R + "hugepageLimits");
            V2Hugetlb.Set(w, resources.HugepageLimits!);
        }
        if (ResourceNeeds.Rdma(resources))
        {
            Need("rdma", R + "rdma");
            foreach (var (device, limit) in resources.Rdma!) w.Write("rdma.max", ResourceWriter.RdmaLine(device, limit), R + "rdma");
        }
        SetUnified(w, resources);
    }

    /// <summary>Settings cgroup v2 has no file for: an error unless they ask for the default.</summary>
    static void RefuseV1Only(LinuxResources r)
    {
        var unsupported = new List<string>();
        if (ResourceNeeds.Set(r.Memory?.Kernel)) unsupported.Add("memory.kernel");
        if (ResourceNeeds.Set(r.Memory?.KernelTcp)) unsupported.Add("memory.kernelTCP");
        if (ResourceNeeds.Swappiness(r.Memory?.Swappiness) is not null) unsupported.Add("memory.swappiness");
        if (r.Memory?.DisableOomKiller == true) unsupported.Add("memory.disableOOMKiller");
        if (ResourceNeeds.Set(r.Cpu?.RealtimeRuntime)) unsupported.Add("cpu.realtimeRuntime");
        if (ResourceNeeds.Set(r.Cpu?.RealtimePeriod)) unsupported.Add("cpu.realtimePeriod");
        if (r.BlockIO?.LeafWeight is { } lw && lw != 0) unsupported.Add("blockIO.leafWeight");
        if (r.BlockIO?.WeightDevice?.Any(d => d.LeafWeight is { } l && l != 0) == true) unsupported.Add("blockIO.weightDevice[].leafWeight");
        if (ResourceNeeds.NetCls(r)) unsupported.Add("network.classID");
        if (ResourceNeeds.NetPrio(r)) unsupported.Add("network.priorities");
        if (unsupported.Count > 0)
            throw new CgroupException($"cannot apply {string.Join(", ", unsupported.Select(u => R + u))}: cgroup v2 has no such setting; remove {(unsupported.Count == 1 ? "it" : "them")} from the config");
    }

    void Need(string controller, string resource) => Has(controller, resource, needed: true);

    /// <summary>
    /// Whether the controller is enabled for this cgroup (its cgroup.controllers). Without it: false when the
    /// values only restate the defaults, else a clear error naming the resource.
    /// </summary>
    bool Has(string controller, string resource, bool needed)
    {
        controllers ??= (fs.TryRead(File("cgroup.controllers")) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (controllers.Contains(controller)) return true;
        if (!needed) return false;
        throw new CgroupException($"cannot apply {resource}: the {controller} controller is not enabled for cgroup {dir} (available: {(controllers.Length == 0 ? "none" : string.Join(' ', controllers))})");
    }

    string[]? controllers;

    void SetPids(ResourceWriter w, LinuxResources r)
    {
        // 0 leaves the limit alone (runc); negative is "no limit", written so an update can lift a limit.
        if (r.Pids is not { Limit: not 0 } pids || !Has("pids", R + "pids.limit", ResourceNeeds.Pids(r))) return;
        w.Write("pids.max", pids.Limit > 0 ? Text(pids.Limit) : "max", R + "pids.limit");
    }

    void SetMemory(ResourceWriter w, LinuxResources r)
    {
        if (r.Memory is not { } m || (m.Limit ?? 0) == 0 && (m.Swap ?? 0) == 0 && (m.Reservation ?? 0) == 0) return;
        if (!Has("memory", R + "memory", ResourceNeeds.Memory(r))) return;
        var limit = m.Limit ?? 0;
        if (m.CheckBeforeUpdate == true && limit > 0)
        {
            var usage = fs.ReadUInt64(File("memory.current"));
            if (usage >= (ulong)limit)
                throw new CgroupException($"cannot apply {R}memory.limit = {limit}: it is not above the container's current memory usage ({usage} bytes)");
        }
        if (SwapMax(limit, m.Swap ?? 0) is { } swap) w.Write("memory.swap.max", swap, R + "memory.swap");
        if (limit != 0) w.Write("memory.max", limit == -1 ? "max" : Text(limit), R + "memory.limit");
        if (m.Reservation is { } low && low != 0) w.Write("memory.low", low == -1 ? "max" : Text(low), R + "memory.reservation");
    }

    /// <summary>
    /// The OCI swap value is memory+swap (v1's memsw); v2's memory.swap.max is swap alone, so subtract.
    /// Null means "leave memory.swap.max alone".
    /// </summary>
    public static string? SwapMax(long memory, long memoryPlusSwap)
    {
        // Unlimited memory with swap unset: unlimited swap too, as v1 behaves.
        if (memory == -1 && memoryPlusSwap == 0) return "max";
        if (memoryPlusSwap == 0) return null;
        if (memoryPlusSwap == -1) return "max";
        if (memory is 0 or -1)
            throw new CgroupException($"cannot apply {R}memory.swap = {memoryPlusSwap}: on cgroup v2 a swap limit needs a memory limit ({R}memory.limit)");
        if (memoryPlusSwap < memory)
            throw new CgroupException($"cannot apply {R}memory.swap = {memoryPlusSwap}: memory+swap must be at least {R}memory.limit ({memory})");
        return Text(memoryPlusSwap - memory);
    }

    void SetIo(ResourceWriter w, LinuxResources r)
    {
        if (r.BlockIO is not { } b || !ResourceNeeds.BlockIO(r)) return;
        Need("io", R + "blockIO");
        // BFQ's io.bfq.weight takes the OCI (blkio) range as it is; otherwise convert to io.weight's range.
        var bfq = w.Has("io.bfq.weight");
        if (b.Weight is { } weight && weight != 0)
        {
            if (bfq) w.Write("io.bfq.weight", weight, R + "blockIO.weight");
            else w.Write("io.weight", BlkioToIoWeight(weight), R + "blockIO.weight");
        }
        foreach (var d in b.WeightDevice ?? [])
        {
            if (d.Weight is not { } dw || dw == 0) continue;
            var value = bfq ? dw : BlkioToIoWeight(dw);
            w.Write(bfq ? "io.bfq.weight" : "io.weight", $"{d.Major}:{d.Minor} {value}", R + "blockIO.weightDevice");
        }
        Throttle(w, b.ThrottleReadBpsDevice, "rbps", "throttleReadBpsDevice");
        Throttle(w, b.ThrottleWriteBpsDevice, "wbps", "throttleWriteBpsDevice");
        Throttle(w, b.ThrottleReadIopsDevice, "riops", "throttleReadIOPSDevice");
        Throttle(w, b.ThrottleWriteIopsDevice, "wiops", "throttleWriteIOPSDevice");
    }

    static void Throttle(ResourceWriter w, IReadOnlyList<LinuxThrottleDevice>? devices, string key, string name)
    {
        foreach (var d in devices ?? []) w.Write("io.max", $"{d.Major}:{d.Minor} {key}={d.Rate}", R + "blockIO." + name);
    }

    /// <summary>blkio weight [10-1000] to io.weight [1-10000], runc's linear map.</summary>
    public static ulong BlkioToIoWeight(ushort weight) => weight == 0 ? 0 : 1 + ((ulong)weight - 10) * 9999 / 990;

    /// <summary>
    /// cpu.shares [2-262144] to cpu.weight [1-10000] with the curve current runc and crun use: it maps the
    /// default 1024 shares to the default weight 100 (the older linear formula gave 39, a known bug).
    /// </summary>
    public static ulong SharesToWeight(ulong shares)
    {
        if (shares == 0) return 0;
        if (shares <= 2) return 1;
        if (shares >= 262144) return 10000;
        var l = Math.Log2(shares);
        return (ulong)Math.Ceiling(Math.Pow(10, (l * l + 125 * l) / 612.0 - 7.0 / 34.0));
    }

    void SetCpu(ResourceWriter w, LinuxResources r)
    {
        if (r.Cpu is not { } c) return;
        var weight = ResourceNeeds.Set(c.Shares);
        var max = (c.Quota is { } q && q != 0) || ResourceNeeds.Set(c.Period);
        var burst = c.Burst is not null;
        if (!weight && !max && !burst && c.Idle is null) return;
        if (!Has("cpu", R + "cpu", ResourceNeeds.Cpu(r))) return;
        if (weight) w.Write("cpu.weight", SharesToWeight(c.Shares!.Value), R + "cpu.shares");
        if (max)
        {
            var quota = c.Quota is { } qq && qq > 0 ? Text(qq) : "max";
            w.Write("cpu.max", $"{quota} {(ResourceNeeds.Set(c.Period) ? c.Period!.Value : 100000UL)}", R + "cpu.quota");
        }
        if (burst) w.Write("cpu.max.burst", c.Burst!.Value, R + "cpu.burst");
        if (c.Idle is { } idle) w.Write("cpu.idle", idle, R + "cpu.idle");
    }

    void SetCpuset(ResourceWriter w, LinuxResources r)
    {
        if (!ResourceNeeds.Cpuset(r)) return;
        Need("cpuset", R + "cpu.cpus");
        if (ResourceNeeds.Set(r.Cpu!.Cpus)) w.Write("cpuset.cpus", r.Cpu.Cpus!, R + "cpu.cpus");
        if (ResourceNeeds.Set(r.Cpu.Mems)) w.Write("cpuset.mems", r.Cpu.Mems!, R + "cpu.mems");
    }

    /// <summary>linux.resources.unified: file name → value, written last so they win over the mapped values.</summary>
    void SetUnified(ResourceWriter w, LinuxResources r)
    {
        foreach (var (key, value) in r.Unified ?? new Dictionary<string, string>())
        {
            var resource = $"{R}unified[\"{key}\"]";
            var dot = key.IndexOf('.');
            if (key.Contains('/') || dot <= 0)
                throw new CgroupException($"invalid {resource}: a key must be a cgroup file name like \"memory.high\" (CONTROLLER.PARAMETER, no slashes)");
            var controller = key[..dot];
            if (controller != "cgroup") Need(controller, resource);
            w.Write(key, value, resource);
        }
    }
}
