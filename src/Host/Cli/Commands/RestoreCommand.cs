using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

internal static class RestoreCommand
{
    public static HullCommand Build(CliSession session) => new("restore", "restore a container from a previous checkpoint")
    {
        ArgsUsage = Operands.ContainerIdUsage,
        UsageNote = "Where \"<container-id>\" is the name of the container to restore.",
        LongDescription = "The restore command brings back a container saved with \"hull checkpoint\"; without\n--detach it waits for the restored process and exits with its status, as run does.",
        Define = command =>
        {
            var criu = new CriuFlags("path to criu image files for restoring");
            var consoleSocket = Flags.Text("--console-socket", LaunchFlags.ConsoleSocketDescription);
            var bundle = Flags.Text("--bundle", "path to the root of the bundle directory", "-b");
            var detach = Flags.Bool("--detach", LaunchFlags.DetachDescription, "-d");
            var pidFile = Flags.Text("--pid-file", LaunchFlags.PidFileDescription);
            var noSubreaper = Flags.Bool("--no-subreaper", LaunchFlags.NoSubreaperDescription);
            var noPivot = Flags.Bool("--no-pivot", LaunchFlags.NoPivotDescription);
            var lsmProfile = Flags.Text("--lsm-profile", "Specify an LSM profile to be used during restore in the form of TYPE:NAME.");
            var lsmMountContext = Flags.Text("--lsm-mount-context", "Specify an LSM mount context to be used during restore.");
            var id = Operands.ContainerId();
            command.Arguments.Add(id);
            foreach (var option in new System.CommandLine.Option[]
                     {
                         consoleSocket, criu.ImagePath, criu.WorkPath, criu.TcpEstablished, criu.ExtUnixSk, criu.ShellJob, criu.FileLocks,
                         criu.ManageCgroupsMode, bundle, detach, pidFile, noSubreaper, noPivot, criu.EmptyNs, criu.AutoDedup, criu.LazyPages,
                         lsmProfile, lsmMountContext,
                     })
                command.Options.Add(option);
            command.SetAction(result =>
            {
                var request = criu.Apply(new RestoreRequest(result.GetValue(id)!, session.Bundle(result.GetValue(bundle)))
                {
                    ConsoleSocket = LaunchFlags.OptionalPath(result.GetValue(consoleSocket), session),
                    Detach = result.GetValue(detach),
                    PidFile = LaunchFlags.OptionalPath(result.GetValue(pidFile), session),
                    NoSubreaper = result.GetValue(noSubreaper),
                    NoPivot = result.GetValue(noPivot),
                    LsmProfile = result.GetValue(lsmProfile) is { Length: > 0 } profile ? profile : null,
                    LsmMountContext = result.GetValue(lsmMountContext) is { Length: > 0 } context ? context : null,
                }, result, session);
                return session.Backend.Restore(request);
            });
        },
    };
}
