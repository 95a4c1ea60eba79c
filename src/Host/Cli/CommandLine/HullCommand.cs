using System.CommandLine;

namespace Hull.Cli.CommandLine;

/// <summary>
/// A hull command with what its urfave-style help needs beyond System.CommandLine's model: the
/// operands in the usage line, the text around them, and how its flags end. Its options, operands
/// and action are made by <see cref="Define"/> only when the command is the one given (or its help
/// is shown): building all of them for every run would be a tenth of hull's start-up.
/// </summary>
internal sealed class HullCommand : Command
{
    private Action<HullCommand>? _define;

    public HullCommand(string name, string summary, params string[] aliases) : base(name, summary)
    {
        foreach (var alias in aliases)
            Aliases.Add(alias);
    }

    /// <summary>Adds the options, operands and action; run once, by <see cref="Defined"/>.</summary>
    public Action<HullCommand> Define { init => _define = value; }

    /// <summary>This command with its options, operands and action.</summary>
    public HullCommand Defined()
    {
        var define = _define;
        _define = null;
        define?.Invoke(this);
        return this;
    }

    /// <summary>The operands in the usage line, e.g. "&lt;container-id&gt; [signal]".</summary>
    public string ArgsUsage { get; init; } = "";

    /// <summary>Text printed under the usage line (what the operands mean, examples).</summary>
    public string? UsageNote { get; init; }

    /// <summary>The DESCRIPTION section.</summary>
    public string? LongDescription { get; init; }

    /// <summary>
    /// exec and ps: the first operand (the container id) ends this command's flags; everything after
    /// it belongs to the process or to ps, as with runc (`hull exec -t id sh -c x`: -c is sh's).
    /// </summary>
    public bool FirstOperandEndsFlags { get; init; }

    /// <summary>Defaults help shows for options that have no System.CommandLine default (--root: null means "apply the rules").</summary>
    public Dictionary<Option, string> ShownDefaults { get; } = [];

    public int MinOperands => Arguments.Sum(a => a.Arity.MinimumNumberOfValues);

    public int MaxOperands => Arguments.Sum(a => a.Arity.MaximumNumberOfValues);

    /// <summary>"hull create [command options] &lt;container-id&gt;"</summary>
    public string UsageLine(string program)
    {
        var hasOptions = Options.Any(o => !o.Hidden);
        return $"{program} {Name}{(hasOptions ? " [command options]" : "")}{(ArgsUsage.Length > 0 ? " " + ArgsUsage : "")}";
    }
}
