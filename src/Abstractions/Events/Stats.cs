using System.Text.Json.Serialization;

namespace Hull.Abstractions.Events;

// The data of a stats event, field for field runc's types.Stats as `runc events --stats` (1.1) prints it.
// Go's omitempty: numbers marked WhenWritingDefault are left out when 0; nullable lists and maps are
// left out when empty (GoJsonRules). Go never omits a struct field, so the nested records are not nullable.

/// <summary>The data of a "stats" event.</summary>
public sealed record Stats
{
    [JsonPropertyName("cpu")] public CpuStats Cpu { get; init; } = new();
    [JsonPropertyName("cpuset")] public CpusetStats Cpuset { get; init; } = new();
    [JsonPropertyName("memory")] public MemoryStats Memory { get; init; } = new();
    [JsonPropertyName("pids")] public PidsStats Pids { get; init; } = new();
    [JsonPropertyName("blkio")] public BlkioStats Blkio { get; init; } = new();

    /// <summary>Keyed by page size ("2MB"); runc always writes the map, {} when empty.</summary>
    [JsonPropertyName("hugetlb")] public IReadOnlyDictionary<string, HugetlbStats> Hugetlb { get; init; } = new Dictionary<string, HugetlbStats>();

    [JsonPropertyName("intel_rdt")] public IntelRdtStats IntelRdt { get; init; } = new();

    /// <summary>
    /// Hull collects no per-interface counters. Go writes a nil slice without omitempty as null, so the
    /// property is declared non-nullable (GoJsonRules omits only nullable ones) and left null.
    /// </summary>
    [JsonPropertyName("network_interfaces")] public IReadOnlyList<NetworkInterfaceStats> NetworkInterfaces { get; init; } = null!;
}

public sealed record CpuStats
{
    [JsonPropertyName("usage")] public CpuUsage Usage { get; init; } = new();
    [JsonPropertyName("throttling")] public CpuThrottling Throttling { get; init; } = new();
}

/// <summary>CPU time in nanoseconds.</summary>
public sealed record CpuUsage
{
    [JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Total { get; init; }
    [JsonPropertyName("percpu")] public IReadOnlyList<ulong>? PerCpu { get; init; }
    [JsonPropertyName("percpu_kernel")] public IReadOnlyList<ulong>? PerCpuKernel { get; init; }
    [JsonPropertyName("percpu_user")] public IReadOnlyList<ulong>? PerCpuUser { get; init; }
    [JsonPropertyName("kernel")] public ulong Kernel { get; init; }
    [JsonPropertyName("user")] public ulong User { get; init; }
}

public sealed record CpuThrottling
{
    [JsonPropertyName("periods"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Periods { get; init; }
    [JsonPropertyName("throttledPeriods"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledPeriods { get; init; }
    /// <summary>Nanoseconds.</summary>
    [JsonPropertyName("throttledTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledTime { get; init; }
}

public sealed record CpusetStats
{
    [JsonPropertyName("cpus")] public IReadOnlyList<ushort>? Cpus { get; init; }
    [JsonPropertyName("cpu_exclusive")] public ulong CpuExclusive { get; init; }
    [JsonPropertyName("mems")] public IReadOnlyList<ushort>? Mems { get; init; }
    [JsonPropertyName("mem_hardwall")] public ulong MemHardwall { get; init; }
    [JsonPropertyName("mem_exclusive")] public ulong MemExclusive { get; init; }
    [JsonPropertyName("memory_migrate")] public ulong MemoryMigrate { get; init; }
    [JsonPropertyName("memory_spread_page")] public ulong MemorySpreadPage { get; init; }
    [JsonPropertyName("memory_spread_slab")] public ulong MemorySpreadSlab { get; init; }
    [JsonPropertyName("memory_pressure")] public ulong MemoryPressure { get; init; }
    [JsonPropertyName("sched_load_balance")] public ulong SchedLoadBalance { get; init; }
    [JsonPropertyName("sched_relax_domain_level")] public long SchedRelaxDomainLevel { get; init; }
}

/// <summary>Usage, peak, limit and failure count of one kind of memory, in bytes.</summary>
public sealed record MemoryEntry
{
    [JsonPropertyName("limit")] public ulong Limit { get; init; }
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; init; }
    [JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; init; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; init; }
}

public sealed record MemoryStats
{
    [JsonPropertyName("cache"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Cache { get; init; }
    [JsonPropertyName("usage")] public MemoryEntry Usage { get; init; } = new();
    /// <summary>Memory plus swap, as v1's memsw reports it (v2 values are converted to match).</summary>
    [JsonPropertyName("swap")] public MemoryEntry Swap { get; init; } = new();
    [JsonPropertyName("kernel")] public MemoryEntry Kernel { get; init; } = new();
    [JsonPropertyName("kernelTCP")] public MemoryEntry KernelTcp { get; init; } = new();
    /// <summary>memory.stat as it is.</summary>
    [JsonPropertyName("raw")] public IReadOnlyDictionary<string, ulong>? Raw { get; init; }
}

public sealed record PidsStats(
    [property: JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] ulong Current = 0,
    [property: JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] ulong Limit = 0);

/// <summary>One device's counter of one operation ("Read", "Write", "Sync", "Async", "Discard", "Total").</summary>
public sealed record BlkioEntry
{
    [JsonPropertyName("major"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Major { get; init; }
    [JsonPropertyName("minor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Minor { get; init; }
    [JsonPropertyName("op")] public string? Op { get; init; }
    [JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Value { get; init; }
}

public sealed record BlkioStats
{
    [JsonPropertyName("ioServiceBytesRecursive")] public IReadOnlyList<BlkioEntry>? IoServiceBytesRecursive { get; init; }
    [JsonPropertyName("ioServicedRecursive")] public IReadOnlyList<BlkioEntry>? IoServicedRecursive { get; init; }
    [JsonPropertyName("ioQueueRecursive")] public IReadOnlyList<BlkioEntry>? IoQueuedRecursive { get; init; }
    [JsonPropertyName("ioServiceTimeRecursive")] public IReadOnlyList<BlkioEntry>? IoServiceTimeRecursive { get; init; }
    [JsonPropertyName("ioWaitTimeRecursive")] public IReadOnlyList<BlkioEntry>? IoWaitTimeRecursive { get; init; }
    [JsonPropertyName("ioMergedRecursive")] public IReadOnlyList<BlkioEntry>? IoMergedRecursive { get; init; }
    [JsonPropertyName("ioTimeRecursive")] public IReadOnlyList<BlkioEntry>? IoTimeRecursive { get; init; }
    [JsonPropertyName("sectorsRecursive")] public IReadOnlyList<BlkioEntry>? SectorsRecursive { get; init; }
}

public sealed record HugetlbStats
{
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; init; }
    [JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; init; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; init; }
}

/// <summary>Intel RDT (resctrl) statistics: hull does not manage resctrl groups, so runc's empty object.</summary>
public sealed record IntelRdtStats;

/// <summary>runc's NetworkInterface, whose Go fields carry no json names.</summary>
public sealed record NetworkInterfaceStats
{
    public string Name { get; init; } = "";
    public ulong RxBytes { get; init; }
    public ulong RxPackets { get; init; }
    public ulong RxErrors { get; init; }
    public ulong RxDropped { get; init; }
    public ulong TxBytes { get; init; }
    public ulong TxPackets { get; init; }
    public ulong TxErrors { get; init; }
    public ulong TxDropped { get; init; }
}
