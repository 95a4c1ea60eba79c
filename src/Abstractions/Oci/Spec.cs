using System.Text.Json.Serialization;

namespace Hull.Abstractions.Oci;

// The OCI runtime-spec config.json (1.0 to 1.2, the Linux parts), one record per Go type of
// opencontainers/runtime-spec/specs-go with the same names (.NET casing: ID -> Id, CPU -> Cpu).
// Properties are declared in the Go field order, because that is the order config.json is written in.
//
// Conventions, relied on by OciJson:
// - A nullable property is `omitempty` in Go: it is left out when null, "" or an empty list/map.
// - A non-nullable property is always written, except a bool or number marked
//   [JsonIgnore(Condition = WhenWritingDefault)], which is Go's non-pointer `omitempty`.
// - A field missing from the JSON keeps its default (Go's zero value); unknown fields are ignored,
//   as runc does. Checking values (e.g. an empty cwd) is the backend's job, not the parser's.
// - Non-nullable references turn a null into their default in `init`: the source generator builds
//   records through an object initializer that passes null for every field missing from the JSON.

/// <summary>The OCI versions Hull reads and writes.</summary>
public static class OciVersion
{
    /// <summary>The version `hull spec` writes and `state` reports: the one runc 1.1 writes.</summary>
    public const string Spec = "1.0.2-dev";

    /// <summary>The oldest config.json version the model reads.</summary>
    public const string Min = "1.0.0";
}

/// <summary>The container configuration (config.json).</summary>
public sealed record Spec
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("process")] public Process? Process { get; init; }
    [JsonPropertyName("root")] public Root? Root { get; init; }
    [JsonPropertyName("hostname")] public string? Hostname { get; init; }
    [JsonPropertyName("domainname")] public string? Domainname { get; init; }
    [JsonPropertyName("mounts")] public IReadOnlyList<Mount>? Mounts { get; init; }
    [JsonPropertyName("hooks")] public Hooks? Hooks { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("linux")] public Linux? Linux { get; init; }
}

/// <summary>The container process (config.json's `process`, and exec's process.json).</summary>
public sealed record Process
{
    [JsonPropertyName("terminal"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Terminal { get; init; }
    [JsonPropertyName("consoleSize")] public Box? ConsoleSize { get; init; }
    [JsonPropertyName("user")] public User User { get; init => field = value ?? new(); } = new();
    [JsonPropertyName("args")] public IReadOnlyList<string>? Args { get; init; }
    [JsonPropertyName("commandLine")] public string? CommandLine { get; init; }
    [JsonPropertyName("env")] public IReadOnlyList<string>? Env { get; init; }
    [JsonPropertyName("cwd")] public string Cwd { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("capabilities")] public LinuxCapabilities? Capabilities { get; init; }
    [JsonPropertyName("rlimits")] public IReadOnlyList<PosixRlimit>? Rlimits { get; init; }
    [JsonPropertyName("noNewPrivileges"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool NoNewPrivileges { get; init; }
    [JsonPropertyName("apparmorProfile")] public string? ApparmorProfile { get; init; }
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; init; }
    [JsonPropertyName("scheduler")] public Scheduler? Scheduler { get; init; }
    [JsonPropertyName("selinuxLabel")] public string? SelinuxLabel { get; init; }
    [JsonPropertyName("ioPriority")] public LinuxIOPriority? IOPriority { get; init; }
    [JsonPropertyName("execCPUAffinity")] public CpuAffinity? ExecCpuAffinity { get; init; }
}

/// <summary>A console size.</summary>
public sealed record Box
{
    [JsonPropertyName("height")] public uint Height { get; init; }
    [JsonPropertyName("width")] public uint Width { get; init; }
}

/// <summary>The user the process runs as.</summary>
public sealed record User
{
    [JsonPropertyName("uid")] public uint Uid { get; init; }
    [JsonPropertyName("gid")] public uint Gid { get; init; }
    [JsonPropertyName("umask")] public uint? Umask { get; init; }
    [JsonPropertyName("additionalGids")] public IReadOnlyList<uint>? AdditionalGids { get; init; }
    [JsonPropertyName("username")] public string? Username { get; init; }
}

/// <summary>The capability sets kept for the process.</summary>
public sealed record LinuxCapabilities
{
    [JsonPropertyName("bounding")] public IReadOnlyList<string>? Bounding { get; init; }
    [JsonPropertyName("effective")] public IReadOnlyList<string>? Effective { get; init; }
    [JsonPropertyName("inheritable")] public IReadOnlyList<string>? Inheritable { get; init; }
    [JsonPropertyName("permitted")] public IReadOnlyList<string>? Permitted { get; init; }
    [JsonPropertyName("ambient")] public IReadOnlyList<string>? Ambient { get; init; }
}

/// <summary>An rlimit (type is e.g. RLIMIT_NOFILE).</summary>
public sealed record PosixRlimit
{
    [JsonPropertyName("type")] public string Type { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("hard")] public ulong Hard { get; init; }
    [JsonPropertyName("soft")] public ulong Soft { get; init; }
}

/// <summary>sched_setattr(2) attributes (policy is e.g. SCHED_FIFO).</summary>
public sealed record Scheduler
{
    [JsonPropertyName("policy")] public string Policy { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("nice"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Nice { get; init; }
    [JsonPropertyName("priority"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Priority { get; init; }
    [JsonPropertyName("flags")] public IReadOnlyList<string>? Flags { get; init; }
    [JsonPropertyName("runtime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Runtime { get; init; }
    [JsonPropertyName("deadline"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Deadline { get; init; }
    [JsonPropertyName("period"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Period { get; init; }
}

/// <summary>The I/O priority (class is IOPRIO_CLASS_RT, _BE or _IDLE).</summary>
public sealed record LinuxIOPriority
{
    [JsonPropertyName("class")] public string Class { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("priority")] public int Priority { get; init; }
}

/// <summary>CPU lists ("0-3,7") an exec'd process runs on before and after joining the cgroup.</summary>
public sealed record CpuAffinity
{
    [JsonPropertyName("initial")] public string? Initial { get; init; }
    [JsonPropertyName("final")] public string? Final { get; init; }
}

/// <summary>The root filesystem.</summary>
public sealed record Root
{
    [JsonPropertyName("path")] public string Path { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("readonly"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Readonly { get; init; }
}

/// <summary>A mount in the container.</summary>
public sealed record Mount
{
    [JsonPropertyName("destination")] public string Destination { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("options")] public IReadOnlyList<string>? Options { get; init; }
    [JsonPropertyName("uidMappings")] public IReadOnlyList<LinuxIdMapping>? UidMappings { get; init; }
    [JsonPropertyName("gidMappings")] public IReadOnlyList<LinuxIdMapping>? GidMappings { get; init; }
}

/// <summary>A lifecycle hook.</summary>
public sealed record Hook
{
    [JsonPropertyName("path")] public string Path { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("args")] public IReadOnlyList<string>? Args { get; init; }
    [JsonPropertyName("env")] public IReadOnlyList<string>? Env { get; init; }
    [JsonPropertyName("timeout")] public int? Timeout { get; init; }
}

/// <summary>The hooks of each lifecycle point.</summary>
public sealed record Hooks
{
    /// <summary>Deprecated by the spec in favour of CreateRuntime/CreateContainer/StartContainer; still run.</summary>
    [JsonPropertyName("prestart")] public IReadOnlyList<Hook>? Prestart { get; init; }
    [JsonPropertyName("createRuntime")] public IReadOnlyList<Hook>? CreateRuntime { get; init; }
    [JsonPropertyName("createContainer")] public IReadOnlyList<Hook>? CreateContainer { get; init; }
    [JsonPropertyName("startContainer")] public IReadOnlyList<Hook>? StartContainer { get; init; }
    [JsonPropertyName("poststart")] public IReadOnlyList<Hook>? Poststart { get; init; }
    [JsonPropertyName("poststop")] public IReadOnlyList<Hook>? Poststop { get; init; }
}

/// <summary>The Linux-specific configuration.</summary>
public sealed record Linux
{
    [JsonPropertyName("uidMappings")] public IReadOnlyList<LinuxIdMapping>? UidMappings { get; init; }
    [JsonPropertyName("gidMappings")] public IReadOnlyList<LinuxIdMapping>? GidMappings { get; init; }
    [JsonPropertyName("sysctl")] public IReadOnlyDictionary<string, string>? Sysctl { get; init; }
    [JsonPropertyName("resources")] public LinuxResources? Resources { get; init; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; init; }
    [JsonPropertyName("namespaces")] public IReadOnlyList<LinuxNamespace>? Namespaces { get; init; }
    [JsonPropertyName("devices")] public IReadOnlyList<LinuxDevice>? Devices { get; init; }
    [JsonPropertyName("seccomp")] public LinuxSeccomp? Seccomp { get; init; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; init; }
    [JsonPropertyName("maskedPaths")] public IReadOnlyList<string>? MaskedPaths { get; init; }
    [JsonPropertyName("readonlyPaths")] public IReadOnlyList<string>? ReadonlyPaths { get; init; }
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; init; }
    [JsonPropertyName("intelRdt")] public LinuxIntelRdt? IntelRdt { get; init; }
    [JsonPropertyName("personality")] public LinuxPersonality? Personality { get; init; }
    /// <summary>Keyed by clock: "monotonic" or "boottime".</summary>
    [JsonPropertyName("timeOffsets")] public IReadOnlyDictionary<string, LinuxTimeOffset>? TimeOffsets { get; init; }
    /// <summary>Keyed by the host's network device name.</summary>
    [JsonPropertyName("netDevices")] public IReadOnlyDictionary<string, LinuxNetDevice>? NetDevices { get; init; }
    [JsonPropertyName("memoryPolicy")] public LinuxMemoryPolicy? MemoryPolicy { get; init; }
}

/// <summary>A namespace to create (no path) or join (path). Type: pid, network, mount, ipc, uts, user, cgroup, time.</summary>
public sealed record LinuxNamespace
{
    [JsonPropertyName("type")] public string Type { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("path")] public string? Path { get; init; }
}

/// <summary>A uid or gid mapping of a user namespace or an idmapped mount.</summary>
public sealed record LinuxIdMapping
{
    [JsonPropertyName("containerID")] public uint ContainerId { get; init; }
    [JsonPropertyName("hostID")] public uint HostId { get; init; }
    [JsonPropertyName("size")] public uint Size { get; init; }
}

/// <summary>A clock offset of a time namespace.</summary>
public sealed record LinuxTimeOffset
{
    [JsonPropertyName("secs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Secs { get; init; }
    [JsonPropertyName("nanosecs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public uint Nanosecs { get; init; }
}

/// <summary>A device node to create in the container.</summary>
public sealed record LinuxDevice
{
    [JsonPropertyName("path")] public string Path { get; init => field = value ?? ""; } = "";
    /// <summary>c, u, b or p.</summary>
    [JsonPropertyName("type")] public string Type { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("major")] public long Major { get; init; }
    [JsonPropertyName("minor")] public long Minor { get; init; }
    [JsonPropertyName("fileMode")] public uint? FileMode { get; init; }
    [JsonPropertyName("uid")] public uint? Uid { get; init; }
    [JsonPropertyName("gid")] public uint? Gid { get; init; }
}

/// <summary>A network device moved into the container's network namespace.</summary>
public sealed record LinuxNetDevice
{
    /// <summary>The name inside the container; the host name when absent.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }
}

/// <summary>set_mempolicy(2) for the container (mode is e.g. MPOL_INTERLEAVE).</summary>
public sealed record LinuxMemoryPolicy
{
    [JsonPropertyName("mode")] public string Mode { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("nodes")] public string? Nodes { get; init; }
    [JsonPropertyName("flags")] public IReadOnlyList<string>? Flags { get; init; }
}

/// <summary>cgroup resource limits (config.json's linux.resources, and update -r).</summary>
public sealed record LinuxResources
{
    [JsonPropertyName("devices")] public IReadOnlyList<LinuxDeviceCgroup>? Devices { get; init; }
    [JsonPropertyName("memory")] public LinuxMemory? Memory { get; init; }
    [JsonPropertyName("cpu")] public LinuxCpu? Cpu { get; init; }
    [JsonPropertyName("pids")] public LinuxPids? Pids { get; init; }
    [JsonPropertyName("blockIO")] public LinuxBlockIO? BlockIO { get; init; }
    [JsonPropertyName("hugepageLimits")] public IReadOnlyList<LinuxHugepageLimit>? HugepageLimits { get; init; }
    [JsonPropertyName("network")] public LinuxNetwork? Network { get; init; }
    /// <summary>Keyed by RDMA device name.</summary>
    [JsonPropertyName("rdma")] public IReadOnlyDictionary<string, LinuxRdma>? Rdma { get; init; }
    /// <summary>cgroup v2 files and the values to write to them.</summary>
    [JsonPropertyName("unified")] public IReadOnlyDictionary<string, string>? Unified { get; init; }
}

/// <summary>A device cgroup rule.</summary>
public sealed record LinuxDeviceCgroup
{
    [JsonPropertyName("allow")] public bool Allow { get; init; }
    /// <summary>a, c or b.</summary>
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("major")] public long? Major { get; init; }
    [JsonPropertyName("minor")] public long? Minor { get; init; }
    /// <summary>Any of r, w, m.</summary>
    [JsonPropertyName("access")] public string? Access { get; init; }
}

/// <summary>Memory limits, in bytes.</summary>
public sealed record LinuxMemory
{
    [JsonPropertyName("limit")] public long? Limit { get; init; }
    [JsonPropertyName("reservation")] public long? Reservation { get; init; }
    /// <summary>Memory plus swap.</summary>
    [JsonPropertyName("swap")] public long? Swap { get; init; }
    /// <summary>Deprecated by the spec (cgroup v1 only, obsolete since Linux 5.4).</summary>
    [JsonPropertyName("kernel")] public long? Kernel { get; init; }
    [JsonPropertyName("kernelTCP")] public long? KernelTcp { get; init; }
    [JsonPropertyName("swappiness")] public ulong? Swappiness { get; init; }
    [JsonPropertyName("disableOOMKiller")] public bool? DisableOomKiller { get; init; }
    [JsonPropertyName("useHierarchy")] public bool? UseHierarchy { get; init; }
    [JsonPropertyName("checkBeforeUpdate")] public bool? CheckBeforeUpdate { get; init; }
}

/// <summary>CPU limits (quota, burst, period and the realtime values in microseconds).</summary>
public sealed record LinuxCpu
{
    [JsonPropertyName("shares")] public ulong? Shares { get; init; }
    [JsonPropertyName("quota")] public long? Quota { get; init; }
    [JsonPropertyName("burst")] public ulong? Burst { get; init; }
    [JsonPropertyName("period")] public ulong? Period { get; init; }
    [JsonPropertyName("realtimeRuntime")] public long? RealtimeRuntime { get; init; }
    [JsonPropertyName("realtimePeriod")] public ulong? RealtimePeriod { get; init; }
    [JsonPropertyName("cpus")] public string? Cpus { get; init; }
    [JsonPropertyName("mems")] public string? Mems { get; init; }
    /// <summary>1 puts the cgroup in SCHED_IDLE.</summary>
    [JsonPropertyName("idle")] public long? Idle { get; init; }
}

/// <summary>The pids limit; 0 or negative means no limit.</summary>
public sealed record LinuxPids
{
    [JsonPropertyName("limit")] public long Limit { get; init; }
}

/// <summary>Block I/O weights and throttles.</summary>
public sealed record LinuxBlockIO
{
    [JsonPropertyName("weight")] public ushort? Weight { get; init; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; init; }
    [JsonPropertyName("weightDevice")] public IReadOnlyList<LinuxWeightDevice>? WeightDevice { get; init; }
    [JsonPropertyName("throttleReadBpsDevice")] public IReadOnlyList<LinuxThrottleDevice>? ThrottleReadBpsDevice { get; init; }
    [JsonPropertyName("throttleWriteBpsDevice")] public IReadOnlyList<LinuxThrottleDevice>? ThrottleWriteBpsDevice { get; init; }
    [JsonPropertyName("throttleReadIOPSDevice")] public IReadOnlyList<LinuxThrottleDevice>? ThrottleReadIopsDevice { get; init; }
    [JsonPropertyName("throttleWriteIOPSDevice")] public IReadOnlyList<LinuxThrottleDevice>? ThrottleWriteIopsDevice { get; init; }
}

/// <summary>A block device by major:minor (Go embeds it in the weight and throttle devices).</summary>
public abstract record LinuxBlockIODevice
{
    [JsonPropertyName("major"), JsonPropertyOrder(-2)] public long Major { get; init; }
    [JsonPropertyName("minor"), JsonPropertyOrder(-1)] public long Minor { get; init; }
}

/// <summary>A per-device blkio weight.</summary>
public sealed record LinuxWeightDevice : LinuxBlockIODevice
{
    [JsonPropertyName("weight")] public ushort? Weight { get; init; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; init; }
}

/// <summary>A per-device rate limit (bytes or I/O operations per second).</summary>
public sealed record LinuxThrottleDevice : LinuxBlockIODevice
{
    [JsonPropertyName("rate")] public ulong Rate { get; init; }
}

/// <summary>A hugetlb limit (pageSize like "2MB").</summary>
public sealed record LinuxHugepageLimit
{
    [JsonPropertyName("pageSize")] public string Pagesize { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("limit")] public ulong Limit { get; init; }
}

/// <summary>net_cls / net_prio settings.</summary>
public sealed record LinuxNetwork
{
    [JsonPropertyName("classID")] public uint? ClassId { get; init; }
    [JsonPropertyName("priorities")] public IReadOnlyList<LinuxInterfacePriority>? Priorities { get; init; }
}

/// <summary>A network interface priority.</summary>
public sealed record LinuxInterfacePriority
{
    [JsonPropertyName("name")] public string Name { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("priority")] public uint Priority { get; init; }
}

/// <summary>RDMA limits of one device.</summary>
public sealed record LinuxRdma
{
    [JsonPropertyName("hcaHandles")] public uint? HcaHandles { get; init; }
    [JsonPropertyName("hcaObjects")] public uint? HcaObjects { get; init; }
}

/// <summary>Intel RDT (resctrl) settings.</summary>
public sealed record LinuxIntelRdt
{
    [JsonPropertyName("closID")] public string? ClosId { get; init; }
    [JsonPropertyName("schemata")] public string? Schemata { get; init; }
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; init; }
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; init; }
    [JsonPropertyName("enableCMT"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EnableCmt { get; init; }
    [JsonPropertyName("enableMBM"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EnableMbm { get; init; }
}

/// <summary>personality(2) (domain LINUX or LINUX32).</summary>
public sealed record LinuxPersonality
{
    [JsonPropertyName("domain")] public string Domain { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("flags")] public IReadOnlyList<string>? Flags { get; init; }
}

/// <summary>The seccomp filter.</summary>
public sealed record LinuxSeccomp
{
    /// <summary>SCMP_ACT_*.</summary>
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; init; }
    /// <summary>SCMP_ARCH_*.</summary>
    [JsonPropertyName("architectures")] public IReadOnlyList<string>? Architectures { get; init; }
    /// <summary>SECCOMP_FILTER_FLAG_*.</summary>
    [JsonPropertyName("flags")] public IReadOnlyList<string>? Flags { get; init; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; init; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; init; }
    [JsonPropertyName("syscalls")] public IReadOnlyList<LinuxSyscall>? Syscalls { get; init; }
}

/// <summary>A seccomp rule: the syscalls it matches and the action taken.</summary>
public sealed record LinuxSyscall
{
    [JsonPropertyName("names")] public IReadOnlyList<string> Names { get; init => field = value ?? []; } = [];
    [JsonPropertyName("action")] public string Action { get; init => field = value ?? ""; } = "";
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; init; }
    [JsonPropertyName("args")] public IReadOnlyList<LinuxSeccompArg>? Args { get; init; }
}

/// <summary>A seccomp argument comparison (op is SCMP_CMP_*).</summary>
public sealed record LinuxSeccompArg
{
    [JsonPropertyName("index")] public uint Index { get; init; }
    [JsonPropertyName("value")] public ulong Value { get; init; }
    [JsonPropertyName("valueTwo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong ValueTwo { get; init; }
    [JsonPropertyName("op")] public string Op { get; init => field = value ?? ""; } = "";
}
