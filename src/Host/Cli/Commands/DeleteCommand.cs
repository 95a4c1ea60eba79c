using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

internal static class DeleteCommand
{
    public static HullCommand Build(CliSession session) => new("delete", "delete any resources held by the container often used with detached container", "rm")
    {
        ArgsUsage = Operands.ContainerIdUsage,
        UsageNote = Operands.ContainerIdNote + "\n\n" +
            "EXAMPLE:\n" +
            "If \"hull list\" shows the container \"ubuntu01\" as stopped, this removes it and\n" +
            "everything it held:\n\n" +
            "       # hull delete ubuntu01",
        Define = command =>
        {
            var force = Flags.Bool("--force", "Forcibly deletes the container if it is still running (uses SIGKILL)", "-f");
            var id = Operands.ContainerId();
            command.Arguments.Add(id);
            command.Options.Add(force);
            command.SetAction(result =>
            {
                session.Backend.Delete(new DeleteRequest(result.GetValue(id)!, result.GetValue(force)));
                return 0;
            });
        },
    };
}
