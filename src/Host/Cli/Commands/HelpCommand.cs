using System.CommandLine;
using Hull.Abstractions.Errors;
using Hull.Cli.CommandLine;
using Hull.Cli.Help;

namespace Hull.Cli.Commands;

/// <summary>`hull help [command]` (alias h), as runc has.</summary>
internal static class HelpCommand
{
    public static HullCommand Build(CliSession session, HelpRenderer renderer, HullCommand root) =>
        new("help", "Shows a list of commands or help for one command", "h")
        {
            ArgsUsage = "[command]",
            Define = command =>
            {
                var topic = new Argument<string?>("command") { Arity = ArgumentArity.ZeroOrOne };
                command.Arguments.Add(topic);
                command.SetAction(result =>
                {
                    var name = result.GetValue(topic);
                    var target = name is null ? root : CommandTree.Find(root, name) ?? throw new UnknownHelpTopicException(name);
                    session.Out.Write(renderer.Render(target, root));
                    return 0;
                });
            },
        };

    /// <summary>runc (urfave/cli) exits 3 when asked for help on a command it does not have.</summary>
    private sealed class UnknownHelpTopicException(string name)
        : HullException($"no help topic for \"{name}\": run 'hull --help' to see the commands")
    {
        public override int ExitCode => 3;
    }
}
