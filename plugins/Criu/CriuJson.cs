using System.Text.Json.Serialization;

namespace Hull.Plugins.Criu;

/// <summary>Source-generated JSON for descriptors.json (a list of strings, as runc writes it).</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class CriuJson : JsonSerializerContext;
