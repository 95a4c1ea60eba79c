using System.Text.Json.Serialization;

namespace Hull.Abstractions.Oci;

// PLACEHOLDER: the OCI model work replaces this file with the whole runtime-spec (1.0-1.2).
public sealed record Spec
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; init; } = "";
}

public sealed record LinuxResources;

public sealed record Process;
