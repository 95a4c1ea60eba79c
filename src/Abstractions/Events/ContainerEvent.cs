using System.Text.Json.Serialization;

namespace Hull.Abstractions.Events;

/// <summary>One line of `events`: {"type":"stats"|"oom"|...,"id":"...","data":{...}}, shaped like runc's.</summary>
public sealed record ContainerEvent(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Stats? Data);
