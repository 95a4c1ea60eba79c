using System.Text.Json.Serialization;

namespace Hull.Abstractions.Events;

/// <summary>The data of a stats event (runc's types.Stats); the cgroups work fills in every controller.</summary>
public sealed record Stats
{
    [JsonPropertyName("pids")] public PidsStats? Pids { get; init; }
}

public sealed record PidsStats(
    [property: JsonPropertyName("current")] ulong Current,
    [property: JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] ulong Limit);
