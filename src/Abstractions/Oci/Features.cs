using System.Text.Json.Serialization;

namespace Hull.Abstractions.Oci;

// The runtime-spec features document (`hull features`), after specs-go/features. Every field is
// optional and null means "unknown", not "unsupported": a backend fills in only what it really
// supports, picking names from OciNames. The Go type names (Linux, Cgroup, ...) collide with the
// config model, hence the Features suffix.

/// <summary>What the runtime supports (runtime-spec features.md).</summary>
public sealed record Features
{
    [JsonPropertyName("ociVersionMin")] public string? OciVersionMin { get; init; }
    [JsonPropertyName("ociVersionMax")] public string? OciVersionMax { get; init; }
    /// <summary>Recognized hook names (OciNames.Hooks).</summary>
    [JsonPropertyName("hooks")] public IReadOnlyList<string>? Hooks { get; init; }
    /// <summary>Recognized mount options (OciNames.MountOptions).</summary>
    [JsonPropertyName("mountOptions")] public IReadOnlyList<string>? MountOptions { get; init; }
    [JsonPropertyName("linux")] public LinuxFeatures? Linux { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    /// <summary>Config annotations that may be unsafe; a value ending in "." is a prefix.</summary>
    [JsonPropertyName("potentiallyUnsafeConfigAnnotations")]
    public IReadOnlyList<string>? PotentiallyUnsafeConfigAnnotations { get; init; }

    /// <summary>Nothing known to be supported: what a platform without a container backend reports.</summary>
    public static Features Empty { get; } = new();
}

/// <summary>The Linux part of the features document.</summary>
public sealed record LinuxFeatures
{
    /// <summary>Recognized namespace types (OciNames.Namespaces).</summary>
    [JsonPropertyName("namespaces")] public IReadOnlyList<string>? Namespaces { get; init; }
    /// <summary>Recognized capabilities (OciNames.Capabilities).</summary>
    [JsonPropertyName("capabilities")] public IReadOnlyList<string>? Capabilities { get; init; }
    [JsonPropertyName("cgroup")] public CgroupFeatures? Cgroup { get; init; }
    [JsonPropertyName("seccomp")] public SeccompFeatures? Seccomp { get; init; }
    [JsonPropertyName("apparmor")] public EnabledFeature? Apparmor { get; init; }
    [JsonPropertyName("selinux")] public EnabledFeature? Selinux { get; init; }
    [JsonPropertyName("intelRdt")] public IntelRdtFeatures? IntelRdt { get; init; }
    [JsonPropertyName("mountExtensions")] public MountExtensionsFeatures? MountExtensions { get; init; }
    [JsonPropertyName("netDevices")] public EnabledFeature? NetDevices { get; init; }
}

/// <summary>Which cgroup drivers are built in (not whether the host uses them).</summary>
public sealed record CgroupFeatures
{
    [JsonPropertyName("v1")] public bool? V1 { get; init; }
    [JsonPropertyName("v2")] public bool? V2 { get; init; }
    [JsonPropertyName("systemd")] public bool? Systemd { get; init; }
    [JsonPropertyName("systemdUser")] public bool? SystemdUser { get; init; }
    [JsonPropertyName("rdma")] public bool? Rdma { get; init; }
}

/// <summary>Seccomp support and the names it recognizes.</summary>
public sealed record SeccompFeatures
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; init; }
    /// <summary>OciNames.SeccompActions.</summary>
    [JsonPropertyName("actions")] public IReadOnlyList<string>? Actions { get; init; }
    /// <summary>OciNames.SeccompOperators.</summary>
    [JsonPropertyName("operators")] public IReadOnlyList<string>? Operators { get; init; }
    /// <summary>OciNames.SeccompArchs.</summary>
    [JsonPropertyName("archs")] public IReadOnlyList<string>? Archs { get; init; }
    /// <summary>OciNames.SeccompFlags.</summary>
    [JsonPropertyName("knownFlags")] public IReadOnlyList<string>? KnownFlags { get; init; }
    /// <summary>The known flags this kernel supports.</summary>
    [JsonPropertyName("supportedFlags")] public IReadOnlyList<string>? SupportedFlags { get; init; }
}

/// <summary>A feature that is only on or off (apparmor, selinux, netDevices, idmap mounts).</summary>
public sealed record EnabledFeature
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; init; }
}

/// <summary>Intel RDT support.</summary>
public sealed record IntelRdtFeatures
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; init; }
    /// <summary>Whether linux.intelRdt.schemata is implemented.</summary>
    [JsonPropertyName("schemata")] public bool? Schemata { get; init; }
}

/// <summary>Mount extensions.</summary>
public sealed record MountExtensionsFeatures
{
    /// <summary>Idmapped mounts (mounts[].uidMappings/gidMappings).</summary>
    [JsonPropertyName("idmap")] public EnabledFeature? Idmap { get; init; }
}
