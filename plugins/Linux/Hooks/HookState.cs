using System.Text.Json;
using System.Text.Json.Serialization;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Hooks;

/// <summary>
/// The runtime-spec state a hook reads on stdin: only ociVersion, id, status, pid, bundle and
/// annotations, in that order (runc's specs.State), not the `state` command's output with rootfs,
/// created and owner.
/// </summary>
internal sealed record HookState
{
    [JsonPropertyName("ociVersion")] public required string OciVersion { get; init; }
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("pid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Pid { get; init; }
    [JsonPropertyName("bundle")] public required string Bundle { get; init; }
    [JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    internal static byte[] Json(ContainerState state) => JsonSerializer.SerializeToUtf8Bytes(new HookState
    {
        OciVersion = state.OciVersion,
        Id = state.Id,
        Status = state.Status,
        Pid = state.Pid,
        Bundle = state.Bundle,
        Annotations = state.Annotations is { Count: > 0 } a ? a : null,
    }, HookJson.Default.HookState);
}

[JsonSerializable(typeof(HookState))]
internal sealed partial class HookJson : JsonSerializerContext;
