using System.Text.Json.Serialization;

namespace Hull.Abstractions.Oci;

/// <summary>Container status as the state JSON spells it.</summary>
public static class ContainerStatus
{
    public const string Creating = "creating";
    public const string Created = "created";
    public const string Running = "running";
    public const string Pausing = "pausing";
    public const string Paused = "paused";
    public const string Stopped = "stopped";
}

/// <summary>
/// `state` and `list --format json` output, field for field and in runc's order
/// (ociVersion, id, pid, status, bundle, rootfs, created, annotations, owner).
/// </summary>
public sealed record ContainerState
{
    [JsonPropertyName("ociVersion")] public required string OciVersion { get; init; }
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("bundle")] public required string Bundle { get; init; }
    [JsonPropertyName("rootfs")] public required string Rootfs { get; init; }
    [JsonPropertyName("created"), JsonConverter(typeof(GoTimeConverter))] public DateTimeOffset Created { get; init; }
    /// <summary>The config's annotations; left out when there are none.</summary>
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("owner")] public string Owner { get; init => field = value ?? ""; } = "";
}
