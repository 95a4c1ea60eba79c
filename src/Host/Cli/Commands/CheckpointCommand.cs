using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

internal static class CheckpointCommand
{
    public static HullCommand Build(CliSession session) => new("checkpoint", "checkpoint a running container")
    {
        ArgsUsage = Operands.ContainerIdUsage,
        UsageNote = "Where \"<container-id>\" is the name of the container to checkpoint.",
        LongDescription = "The checkpoint command saves the state of the container's processes with CRIU.",
        Define = command =>
        {
            var criu = new CriuFlags("path for saving criu image files");
            var parentPath = Flags.Text("--parent-path", "path for previous criu image files in pre-dump");
            var leaveRunning = Flags.Bool("--leave-running", "leave the process running after checkpointing");
            var statusFd = Flags.Int("--status-fd", "criu writes \\0 to this FD once lazy-pages is ready", -1);
            var pageServer = Flags.Text("--page-server", "ADDRESS:PORT of the page server");
            var preDump = Flags.Bool("--pre-dump", "dump container's memory information only, leave the container running after this");
            var id = Operands.ContainerId();
            command.Arguments.Add(id);
            foreach (var option in new System.CommandLine.Option[]
                     {
                         criu.ImagePath, criu.WorkPath, parentPath, leaveRunning, criu.TcpEstablished, criu.ExtUnixSk, criu.ShellJob,
                         criu.LazyPages, statusFd, pageServer, criu.FileLocks, preDump, criu.ManageCgroupsMode, criu.EmptyNs, criu.AutoDedup,
                     })
                command.Options.Add(option);
            command.SetAction(result =>
            {
                var request = criu.Apply(new CheckpointRequest(result.GetValue(id)!)
                {
                    ParentPath = result.GetValue(parentPath) is { Length: > 0 } parent ? parent : null,
                    LeaveRunning = result.GetValue(leaveRunning),
                    StatusFd = result.GetValue(statusFd) is >= 0 and var fd ? fd : null,
                    PageServer = result.GetValue(pageServer) is { Length: > 0 } server ? server : null,
                    PreDump = result.GetValue(preDump),
                }, result, session);
                session.Backend.Checkpoint(request);
                return 0;
            });
        },
    };
}
