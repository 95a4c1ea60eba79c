using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;
using Hull.Cli.Values;

namespace Hull.Cli.Commands;

internal static class EventsCommand
{
    public static HullCommand Build(CliSession session) => new("events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics")
    {
        ArgsUsage = Operands.ContainerIdUsage,
        UsageNote = Operands.ContainerIdNote,
        LongDescription = "The events command prints the container's stats every --interval, and OOM notices as\nthey happen, one JSON object a line, until the container stops or hull is interrupted.",
        Define = command =>
        {
            var interval = Flags.Parsed("--interval", "set the stats collection interval", TimeSpan.FromSeconds(5),
                t => GoDuration.TryParse(t, out var d) ? d : null, "a duration such as 5s, 1m or 500ms");
            var stats = Flags.Bool("--stats", "display the container's stats then exit");
            var id = Operands.ContainerId();
            command.Arguments.Add(id);
            command.Options.Add(interval);
            command.Options.Add(stats);
            command.SetAction(result =>
            {
                var every = result.GetValue(interval);
                if (every <= TimeSpan.Zero)
                    throw new UsageException("--interval must be greater than 0");
                var backend = session.Backend;
                var once = result.GetValue(stats);
                var cancellation = once ? CancellationToken.None : session.Environment.InterruptToken();
                try
                {
                    foreach (var e in backend.Events(new EventsRequest(result.GetValue(id)!, once, every), cancellation))
                    {
                        session.Out.Write(OciJson.SerializeEvent(e));
                        // Each event is a line a reader acts on at once.
                        session.Out.Flush();
                    }
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    // Interrupted: the stream simply ends.
                }
                return 0;
            });
        },
    };
}
