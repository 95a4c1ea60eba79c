using System.CommandLine;
using Hull.Abstractions.Errors;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

/// <summary>The --format flag of list and ps: table or json, checked before anything runs.</summary>
internal static class OutputFormat
{
    public const string Table = "table";
    public const string Json = "json";

    public static Option<string> Flag() => Flags.Text("--format", "select one of: table or json", Table, "-f");

    public static bool IsJson(ParseResult result, Option<string> format) => result.GetValue(format) switch
    {
        Table => false,
        Json => true,
        var other => throw new UsageException($"invalid --format \"{other}\": use table or json"),
    };
}
