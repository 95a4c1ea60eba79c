using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

internal static class CreateCommand
{
    public const string BundleDescription =
        "The bundle is a directory with a specification file named \"config.json\" and a root\n" +
        "filesystem. The args of config.json's process are what runs when the container starts;\n" +
        "see \"hull spec --help\".";

    public static HullCommand Build(CliSession session) => new("create", "create a container")
    {
        ArgsUsage = Operands.ContainerIdUsage,
        UsageNote = Operands.NewContainerIdNote,
        LongDescription = "The create command creates a container from a bundle and leaves it waiting for \"hull start\".\n\n" + BundleDescription,
        Define = command =>
        {
            var flags = new LaunchFlags();
            var id = Operands.ContainerId();
            command.Arguments.Add(id);
            command.Options.Add(flags.Bundle);
            command.Options.Add(flags.ConsoleSocket);
            command.Options.Add(flags.PidFile);
            command.Options.Add(flags.NoPivot);
            command.Options.Add(flags.NoNewKeyring);
            command.Options.Add(flags.PreserveFds);
            command.SetAction(result =>
            {
                var request = flags.Apply(new CreateRequest(result.GetValue(id)!, session.Bundle(result.GetValue(flags.Bundle))), result, session);
                session.Backend.Create(request);
                return 0;
            });
        },
    };
}
