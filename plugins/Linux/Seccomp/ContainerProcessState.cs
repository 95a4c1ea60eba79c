using System.Text.Json.Serialization;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>
/// The runtime-spec "container process state" (config-linux.md) sent with the seccomp notify fd to
/// linux.seccomp.listenerPath; field for field what runc sends (specs.ContainerProcessState).
/// </summary>
public sealed record ContainerProcessState
{
    /// <summary>The name of the notify fd in <see cref="Fds"/>, as the spec defines it.</summary>
    public const string SeccompFdName = "seccompFd";

    [JsonPropertyName("ociVersion")] public string OciVersion { get; init; } = Hull.Abstractions.Oci.OciVersion.Spec;
    /// <summary>Names of the fds in the SCM_RIGHTS array, in order.</summary>
    [JsonPropertyName("fds")] public IReadOnlyList<string> Fds { get; init; } = [SeccompFdName];
    /// <summary>The process the filter is on, as hull sees it (the init, or exec's process).</summary>
    [JsonPropertyName("pid")] public required int Pid { get; init; }
    /// <summary>linux.seccomp.listenerMetadata, passed through untouched.</summary>
    [JsonPropertyName("metadata"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Metadata { get; init => field = string.IsNullOrEmpty(value) ? null : value; }
    [JsonPropertyName("state")] public required ProcessContainerState State { get; init; }
}

/// <summary>The runtime-spec state (runtime.md#state) inside <see cref="ContainerProcessState"/>:
/// not `hull state`'s output, which has runc's extra fields.</summary>
public sealed record ProcessContainerState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; init; } = Hull.Abstractions.Oci.OciVersion.Spec;
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary>A <see cref="ContainerStatus"/> value: runc sends "running" for the init and exec alike.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("pid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Pid { get; init; }
    [JsonPropertyName("bundle")] public required string Bundle { get; init; }
    /// <summary>Left out when empty, as Go's omitempty does.</summary>
    [JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Annotations { get; init => field = value is { Count: 0 } ? null : value; }
}

[JsonSerializable(typeof(ContainerProcessState))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext;
