using System.Text.Json.Serialization;

namespace Hull.Abstractions.Oci;

/// <summary>
/// The runtime-spec's state document (runtime.md#state, runc's specs.State): what hooks read on
/// stdin and what the seccomp agent receives. Not the `state` command's output, which adds
/// rootfs, created and owner (<see cref="ContainerState"/>).
/// </summary>
public sealed record RuntimeState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; init; } = Oci.OciVersion.Spec;
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary>A <see cref="ContainerStatus"/> value.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("pid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Pid { get; init; }
    [JsonPropertyName("bundle")] public required string Bundle { get; init; }
    /// <summary>Left out when empty, as Go's omitempty does.</summary>
    [JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Annotations { get; init => field = value is { Count: 0 } ? null : value; }

    public static RuntimeState From(ContainerState state) => new()
    {
        OciVersion = state.OciVersion,
        Id = state.Id,
        Status = state.Status,
        Pid = state.Pid,
        Bundle = state.Bundle,
        Annotations = state.Annotations,
    };
}
