using System.CommandLine;
using Hull.Cli.Values;

namespace Hull.Cli.CommandLine;

/// <summary>A command line that is wrong: runc prints "Incorrect Usage" with the help and exits 1.</summary>
/// <param name="HelpFor">Whose help follows the message; null prints none (an unknown command).</param>
internal sealed record UsageError(string Message, HullCommand? HelpFor, int ExitCode = 1);

/// <param name="Arguments">The command line rewritten for System.CommandLine.</param>
/// <param name="Command">The command given, or null.</param>
/// <param name="Error">The first thing wrong with the command line, or null.</param>
internal sealed record ScanResult(IReadOnlyList<string> Arguments, HullCommand? Command, UsageError? Error);

/// <summary>
/// The pass before System.CommandLine that gives hull runc's (urfave/cli and Go flag) grammar:
/// <list type="bullet">
/// <item>a flag is written -name or --name, its value as the next word or after '='; boolean flags
/// take a value only after '=' (`--detach=false`), never the next word; no bundling (`-td` is unknown);</item>
/// <item>global flags may come before or after the command and are moved in front of it;</item>
/// <item>exec and ps: the first operand ends the command's flags, the rest belong to the process or ps;</item>
/// <item>`--` ends the flags; operand counts are checked with runc's messages.</item>
/// </list>
/// The output is canonical: `[--global[=value]...] command [--flag[=value]...] -- operands...`,
/// so that System.CommandLine only binds values and never guesses.
/// </summary>
internal static class ArgumentScanner
{
    public static ScanResult Scan(HullCommand root, IReadOnlyList<string> args, string program)
    {
        var globalIndex = Index(root);
        Dictionary<string, Option>? localIndex = null;
        HullCommand? command = null;
        var globals = new FlagList();
        var locals = new FlagList();
        var operands = new List<string>();
        UsageError? error = null;
        var flagsEnded = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!flagsEnded && arg == "--")
            {
                flagsEnded = true;
                continue;
            }
            if (flagsEnded || arg.Length < 2 || arg[0] != '-')
            {
                if (command is null)
                {
                    command = CommandTree.Find(root, arg);
                    if (command is null)
                    {
                        error = new UsageError($"unknown command \"{arg}\": run '{program} --help' to see the commands", null, ExitCode: 3);
                        break;
                    }
                    localIndex = Index(command);
                    flagsEnded = false;
                    continue;
                }
                operands.Add(arg);
                if (command.FirstOperandEndsFlags)
                    flagsEnded = true;
                continue;
            }

            var (name, inlineValue) = SplitFlag(arg);
            var isGlobal = false;
            if (localIndex is null || !localIndex.TryGetValue(name, out var option))
                isGlobal = globalIndex.TryGetValue(name, out option);
            var helpTarget = command ?? root;
            if (option is null)
            {
                error ??= new UsageError($"flag provided but not defined: {arg.Split('=', 2)[0]}", helpTarget);
                continue;
            }
            var target = isGlobal ? globals : locals;

            if (!Flags.TakesValue(option))
            {
                if (inlineValue is null)
                    target.Set(option, null);
                else if (!GoBool.TryParse(inlineValue, out var on))
                    error ??= new UsageError($"invalid boolean value \"{inlineValue}\" for flag {option.Name}: use true or false", helpTarget);
                else if (on)
                    target.Set(option, null);
                else
                    target.Remove(option);
                continue;
            }

            if (inlineValue is null)
            {
                if (i + 1 >= args.Count)
                {
                    error ??= new UsageError($"flag needs an argument: {option.Name}", helpTarget);
                    continue;
                }
                inlineValue = args[++i];
            }
            target.Set(option, inlineValue);
        }

        // Asking for a command's help needs none of its operands.
        if (error is null && command is not null && !globals.Has<HelpFlag>())
            error = CheckOperands(command, operands.Count, program);

        var result = new List<string>(args.Count + 2);
        globals.AppendTo(result);
        if (command is not null)
        {
            result.Add(command.Name);
            locals.AppendTo(result);
            result.Add("--");
            result.AddRange(operands);
        }
        return new ScanResult(result, command, error);
    }

    private static UsageError? CheckOperands(HullCommand command, int count, string program)
    {
        int min = command.MinOperands, max = command.MaxOperands;
        string? requirement =
            min == max && count != min ? $"exactly {min}"
            : count < min ? $"a minimum of {min}"
            : count > max ? $"a maximum of {max}"
            : null;
        return requirement is null
            ? null
            : new UsageError($"\"{command.Name}\" requires {requirement} argument(s) (usage: {command.UsageLine(program)})", command);
    }

    /// <summary>Go's flag package treats -name and --name alike, so index names without dashes.</summary>
    private static Dictionary<string, Option> Index(HullCommand command)
    {
        var index = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var option in command.Options)
        {
            index[option.Name.TrimStart('-')] = option;
            foreach (var alias in option.Aliases)
                index[alias.TrimStart('-')] = option;
        }
        return index;
    }

    private static (string Name, string? Value) SplitFlag(string arg)
    {
        var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
        var eq = body.IndexOf('=');
        return eq < 0 ? (body, null) : (body[..eq], body[(eq + 1)..]);
    }

    /// <summary>The flags given, in order; a single-value flag given again replaces its value (Go: the last one wins).</summary>
    private sealed class FlagList
    {
        private readonly List<(Option Option, string? Value)> _items = [];

        public void Set(Option option, string? value)
        {
            if (option.Arity.MaximumNumberOfValues <= 1)
                Remove(option);
            _items.Add((option, value));
        }

        public void Remove(Option option) => _items.RemoveAll(item => item.Option == option);

        public bool Has<T>() where T : Option => _items.Any(item => item.Option is T);

        public void AppendTo(List<string> args)
        {
            foreach (var (option, value) in _items)
            {
                if (value is null)
                    args.Add(option.Name);
                else if (value.Length == 0)
                {
                    // "--flag=" would make System.CommandLine report a missing value; a separate empty word does not.
                    args.Add(option.Name);
                    args.Add("");
                }
                else
                    args.Add(option.Name + "=" + value);
            }
        }
    }
}
