using System.Text.Json.Nodes;
using Hull.Tests.Integration.Support;

namespace Hull.Tests.Integration.Differential;

/// <summary>
/// One bundle variation run under both runtimes. <see cref="Edit"/> changes the `runc spec`
/// config (args already set); <see cref="Prepare"/> changes the bundle's files.
/// </summary>
public sealed record DiffCase(string Name, string[] Args)
{
    public Action<JsonObject>? Edit { get; init; }
    public Action<Bundle>? Prepare { get; init; }

    /// <summary>
    /// Set when hull deliberately differs from runc 1.1.5 here: why, and what to check instead
    /// (hull's own result) of equality with runc.
    /// </summary>
    public (string Why, Action<CommandResult> CheckHull)? Explained { get; init; }

    public override string ToString() => Name;

    public static JsonObject Process(JsonObject config) => config["process"]!.AsObject();

    public static JsonObject Linux(JsonObject config) => config["linux"]!.AsObject();

    public static JsonArray Strings(params string[] items) => new(items.Select(i => (JsonNode)i!).ToArray());

    /// <summary>Drops the namespace of this type from linux.namespaces.</summary>
    public static void WithoutNamespace(JsonObject config, string type)
    {
        var list = Linux(config)["namespaces"]!.AsArray();
        foreach (var ns in list.Where(n => n!["type"]!.GetValue<string>() == type).ToList()) list.Remove(ns);
    }

    public static void AddNamespace(JsonObject config, string type, string? path = null)
    {
        var ns = new JsonObject { ["type"] = type };
        if (path is not null) ns["path"] = path;
        Linux(config)["namespaces"]!.AsArray().Add(ns);
    }
}
