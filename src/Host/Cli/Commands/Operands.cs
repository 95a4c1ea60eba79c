using System.CommandLine;

namespace Hull.Cli.Commands;

/// <summary>The operands commands share.</summary>
internal static class Operands
{
    public const string ContainerIdUsage = "<container-id>";

    public const string ContainerIdNote = "Where \"<container-id>\" is the name of the container.";

    public const string NewContainerIdNote =
        "Where \"<container-id>\" is your name for the new container; it must be unique among the\n" +
        "containers under the same --root.";

    public static Argument<string> ContainerId() => new("container-id");

    /// <summary>Everything after the container id, passed on untouched (exec's command, ps's options).</summary>
    public static Argument<string[]> Rest(string name) => new(name) { Arity = ArgumentArity.ZeroOrMore };
}
