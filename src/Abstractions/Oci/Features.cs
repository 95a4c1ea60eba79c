using System.Text.Json.Serialization;

namespace Hull.Abstractions.Oci;

// PLACEHOLDER: the OCI model work replaces this with the runtime-spec features document.
public sealed record Features
{
    [JsonPropertyName("ociVersionMin")] public string? OciVersionMin { get; init; }
    [JsonPropertyName("ociVersionMax")] public string? OciVersionMax { get; init; }

    public static Features Empty { get; } = new();
}
