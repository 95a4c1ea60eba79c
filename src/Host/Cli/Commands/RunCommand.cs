using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

internal static class RunCommand
{
    public static HullCommand Build(CliSession session) => new("run", "create and run a container")
    {
        ArgsUsage = Operands.ContainerIdUsage,
        UsageNote = Operands.NewContainerIdNote,
        LongDescription = "The run command creates a container from a bundle and starts it; without --detach it\n" +
            "waits for the container's process and exits with its status.\n\n" + CreateCommand.BundleDescription,
        Define = command =>
        {
            var flags = new LaunchFlags();
            var detach = Flags.Bool("--detach", LaunchFlags.DetachDescription, "-d");
            var keep = Flags.Bool("--keep", "do not delete the container after it exits");
            var noSubreaper = Flags.Bool("--no-subreaper", LaunchFlags.NoSubreaperDescription);
            var id = Operands.ContainerId();
            command.Arguments.Add(id);
            command.Options.Add(flags.Bundle);
            command.Options.Add(flags.ConsoleSocket);
            command.Options.Add(detach);
            command.Options.Add(keep);
            command.Options.Add(flags.PidFile);
            command.Options.Add(noSubreaper);
            command.Options.Add(flags.NoPivot);
            command.Options.Add(flags.NoNewKeyring);
            command.Options.Add(flags.PreserveFds);
            command.SetAction(result =>
            {
                var request = flags.Apply(new RunRequest(result.GetValue(id)!, session.Bundle(result.GetValue(flags.Bundle)))
                {
                    Detach = result.GetValue(detach),
                    Keep = result.GetValue(keep),
                    NoSubreaper = result.GetValue(noSubreaper),
                }, result, session);
                // The container's exit status (128+signal when a signal ended it) becomes hull's, as with runc.
                return session.Backend.Run(request);
            });
        },
    };
}
