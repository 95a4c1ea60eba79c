using Hull.Cli.Commands;
using Hull.Cli.Help;

namespace Hull.Cli.CommandLine;

/// <summary>
/// hull's commands and flags. Building the tree only creates the commands; each one's options are
/// made when it is the command given (see <see cref="HullCommand.Define"/>), and nothing is read,
/// loaded or probed until the command is known.
/// </summary>
internal sealed class CommandTree
{
    public const string Program = "hull";

    private CommandTree(HullCommand root, GlobalOptions globals, HelpRenderer help)
    {
        Root = root;
        Globals = globals;
        Help = help;
    }

    public HullCommand Root { get; }
    public GlobalOptions Globals { get; }
    public HelpRenderer Help { get; }

    public static CommandTree Build(CliSession session)
    {
        var root = new HullCommand(Program, "Open Container Initiative runtime")
        {
            LongDescription = """
                hull is a command line client for running applications packaged according to the
                Open Container Initiative (OCI) format, and a drop-in for runc: the same commands,
                flags, output and exit codes.

                Containers are configured using bundles. A bundle is a directory with a
                specification file named "config.json" and a root filesystem, which holds the
                contents of the container.

                To start a new container:

                    # hull run [ -b bundle ] <container-id>

                Where "<container-id>" is your name for the new container; it must be unique on
                your host. The bundle defaults to the current directory.
                """,
        };
        var globals = new GlobalOptions();
        globals.AddTo(root);
        var help = new HelpRenderer(Program, () => VersionInfo.Text(session.Catalog, withProgramName: false));
        globals.Help.Action = new HelpAction(session, help, root);
        globals.Version.Action = new VersionAction(session);
        // `hull` alone shows the help, as runc does.
        root.SetAction(_ =>
        {
            session.Out.Write(help.Render(root, root));
            return 0;
        });

        // runc's order: alphabetical, with features last.
        foreach (var command in new[]
                 {
                     CheckpointCommand.Build(session), CreateCommand.Build(session), DeleteCommand.Build(session),
                     EventsCommand.Build(session), ExecCommand.Build(session), KillCommand.Build(session),
                     ListCommand.Build(session), SimpleCommands.Pause(session), PsCommand.Build(session),
                     RestoreCommand.Build(session), SimpleCommands.Resume(session), RunCommand.Build(session),
                     SpecCommand.Build(session), SimpleCommands.Start(session), SimpleCommands.State(session),
                     UpdateCommand.Build(session), FeaturesCommand.Build(session), HelpCommand.Build(session, help, root),
                 })
            root.Subcommands.Add(command);
        return new CommandTree(root, globals, help);
    }

    /// <summary>The command with this name or alias, defined and ready to parse, or null.</summary>
    public static HullCommand? Find(HullCommand root, string name) =>
        root.Subcommands.OfType<HullCommand>().FirstOrDefault(c => c.Name == name || c.Aliases.Contains(name))?.Defined();
}
