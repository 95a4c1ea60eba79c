using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Hull.Cli.CommandLine;

/// <summary>
/// Builders for hull's options, urfave-style: boolean flags take no value (`--detach`, or
/// `--detach=false` through the argument scanner), every other flag takes exactly one, and a
/// value that does not parse is an error naming the flag and what it expected.
/// </summary>
internal static class Flags
{
    public const string ValueName = "value";

    public static Option<bool> Bool(string name, string description, string? alias = null) =>
        new(name, Aliases(alias)) { Description = description, Arity = ArgumentArity.Zero };

    public static Option<string?> Text(string name, string description, string? alias = null) =>
        new(name, Aliases(alias)) { Description = description, HelpName = ValueName };

    public static Option<string> Text(string name, string description, string @default, string? alias = null) =>
        new(name, Aliases(alias)) { Description = description, HelpName = ValueName, DefaultValueFactory = _ => @default };

    /// <summary>A flag that may be given several times (`-e A=1 -e B=2`); runc does not split values on commas.</summary>
    public static Option<string[]> List(string name, string description, string? alias = null) =>
        new(name, Aliases(alias))
        {
            Description = description,
            HelpName = ValueName,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

    public static Option<int> Int(string name, string description, int @default, string? alias = null) =>
        Parsed(name, description, @default, ParseInt, "a whole number", alias);

    /// <summary>A value flag whose text <paramref name="parse"/> turns into T, or null when it is not valid.</summary>
    public static Option<T> Parsed<T>(string name, string description, T @default, Func<string, T?> parse, string expected, string? alias = null)
        where T : struct =>
        new(name, Aliases(alias))
        {
            Description = description,
            HelpName = ValueName,
            DefaultValueFactory = _ => @default,
            CustomParser = result => ParseOne(result, name, parse, expected) ?? @default,
        };

    /// <summary>A repeatable value flag whose items <paramref name="parse"/> converts.</summary>
    public static Option<T[]> ParsedList<T>(string name, string description, Func<string, T?> parse, string expected, string? alias = null)
        where T : struct =>
        new(name, Aliases(alias))
        {
            Description = description,
            HelpName = ValueName,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = result =>
            {
                var values = new T[result.Tokens.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    var value = parse(result.Tokens[i].Value);
                    if (value is null)
                    {
                        result.AddError(Invalid(result.Tokens[i].Value, name, expected));
                        return [];
                    }
                    values[i] = value.Value;
                }
                return values;
            },
        };

    public static bool TakesValue(Option option) => option.Arity.MaximumNumberOfValues > 0;

    public static int? ParseInt(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    public static string Invalid(string value, string flag, string expected) =>
        $"invalid value \"{value}\" for flag {flag}: expected {expected}";

    private static T? ParseOne<T>(ArgumentResult result, string name, Func<string, T?> parse, string expected) where T : struct
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        var value = parse(text);
        if (value is null)
            result.AddError(Invalid(text, name, expected));
        return value;
    }

    private static string[] Aliases(string? alias) => alias is null ? [] : [alias];
}

/// <summary>
/// --help and -h, with hull's help action. A plain flag rather than System.CommandLine's HelpOption,
/// whose constructor loads a localized description through ResourceManager and reflection: a
/// twentieth of hull's start-up, for a text hull replaces anyway.
/// </summary>
internal sealed class HelpFlag : Option<bool>
{
    public HelpFlag() : base("--help", "-h")
    {
        Description = "show help";
        Arity = ArgumentArity.Zero;
    }
}
