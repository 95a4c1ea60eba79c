using System.CommandLine;
using System.Globalization;
using System.Text;
using Hull.Cli.CommandLine;
using Hull.Cli.Output;
using Hull.Cli.Values;

namespace Hull.Cli.Help;

/// <summary>
/// Help laid out as runc's (urfave/cli): NAME, USAGE, DESCRIPTION, OPTIONS, with each option as
/// `--name value, -n value   description (default: x)`, so people and scripts used to runc find
/// everything where they expect it.
/// </summary>
internal sealed class HelpRenderer(string program, Func<string> versionText)
{
    private const string Indent = "   ";

    public string Render(HullCommand command, HullCommand root) =>
        command == root ? RenderRoot(root) : RenderCommand(command.Defined());

    private string RenderRoot(HullCommand root)
    {
        var sb = new StringBuilder();
        sb.Append("NAME:\n").Append(Indent).Append(program).Append(" - ").Append(root.Description).Append("\n\n");
        if (root.LongDescription is not null)
            sb.Append(root.LongDescription).Append("\n\n");
        sb.Append("USAGE:\n").Append(Indent).Append(program).Append(" [global options] command [command options] [arguments...]\n\n");
        sb.Append("VERSION:\n").Append(IndentLines(versionText())).Append('\n');
        sb.Append("COMMANDS:\n");
        var commands = root.Subcommands.Where(c => !c.Hidden)
            .Select(c => (IReadOnlyList<string>)[string.Join(", ", new[] { c.Name }.Concat(c.Aliases)), c.Description ?? ""])
            .ToList();
        sb.Append(TabTable.Render(commands, minWidth: 1, padding: 2, Indent)).Append('\n');
        sb.Append("GLOBAL OPTIONS:\n").Append(OptionTable(root));
        return sb.ToString();
    }

    private string RenderCommand(HullCommand command)
    {
        var sb = new StringBuilder();
        sb.Append("NAME:\n").Append(Indent).Append(program).Append(' ').Append(command.Name).Append(" - ").Append(command.Description).Append("\n\n");
        sb.Append("USAGE:\n").Append(Indent).Append(command.UsageLine(program)).Append('\n');
        if (command.UsageNote is not null)
            sb.Append('\n').Append(command.UsageNote).Append('\n');
        if (command.LongDescription is not null)
            sb.Append("\nDESCRIPTION:\n").Append(Indent).Append(command.LongDescription).Append('\n');
        if (command.Options.Any(o => !o.Hidden))
            sb.Append("\nOPTIONS:\n").Append(OptionTable(command));
        return sb.ToString();
    }

    private static string OptionTable(HullCommand command)
    {
        var rows = command.Options.Where(o => !o.Hidden)
            .Select(o => (IReadOnlyList<string>)[OptionNames(o), OptionDescription(o, command)])
            .ToList();
        return TabTable.Render(rows, minWidth: 1, padding: 2, Indent);
    }

    /// <summary>"--bundle value, -b value" or "--detach, -d".</summary>
    public static string OptionNames(Option option)
    {
        var value = Flags.TakesValue(option) ? " " + (option.HelpName ?? Flags.ValueName) : "";
        var names = new[] { option.Name }.Concat(option.Aliases.OrderByDescending(a => a.Length));
        return string.Join(", ", names.Select(n => n + value));
    }

    private static string OptionDescription(Option option, HullCommand command)
    {
        var description = option.Description ?? "";
        var shown = command.ShownDefaults.TryGetValue(option, out var text) ? text
            : option.HasDefaultValue && Flags.TakesValue(option) ? FormatDefault(option.GetDefaultValue())
            : null;
        return shown is null ? description : $"{description} (default: {shown})";
    }

    private static string? FormatDefault(object? value) => value switch
    {
        null => null,
        string s => $"\"{s}\"",
        TimeSpan t => GoDuration.Format(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string IndentLines(string text) =>
        string.Concat(text.TrimEnd('\n').Split('\n').Select(line => Indent + line + "\n"));
}
