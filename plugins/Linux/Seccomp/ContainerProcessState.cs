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
    [JsonPropertyName("state")] public required RuntimeState State { get; init; }
}

[JsonSerializable(typeof(ContainerProcessState))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext;
