using Hull.Abstractions.Oci;
using Hull.Cli.CommandLine;
using Hull.Cli.Output;

namespace Hull.Cli.Commands;

internal static class ListCommand
{
    public static HullCommand Build(CliSession session) => new("list", "lists containers started by hull with the given root", "ls")
    {
        UsageNote = "The root is the global option \"--root\" (default: \"/run/hull\", or $XDG_RUNTIME_DIR/hull\nwhen rootless).\n\n" +
            "EXAMPLE 1:\n" +
            "To list the containers under the default root:\n" +
            "       # hull list\n\n" +
            "EXAMPLE 2:\n" +
            "To list the containers under another root:\n" +
            "       # hull --root value list",
        Define = command =>
        {
            var format = OutputFormat.Flag();
            var quiet = Flags.Bool("--quiet", "display only container IDs", "-q");
            command.Options.Add(format);
            command.Options.Add(quiet);
            command.SetAction(result =>
            {
                var json = OutputFormat.IsJson(result, format);
                var states = session.Backend.List();
                if (result.GetValue(quiet))
                {
                    foreach (var state in states)
                        session.Out.WriteLine(state.Id);
                }
                else
                    session.Out.Write(json ? OciJson.SerializeStates(states) : Table(states));
                return 0;
            });
        },
    };

    /// <summary>runc's table: Go tabwriter with minimum width 12 and padding 3, times in RFC 3339 with nanoseconds.</summary>
    public static string Table(IReadOnlyList<ContainerState> states)
    {
        var rows = new List<IReadOnlyList<string>>(states.Count + 1) { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        foreach (var s in states)
            rows.Add([s.Id, s.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Status, s.Bundle, GoTime.FormatRfc3339Nano(s.Created), s.Owner]);
        return TabTable.Render(rows, minWidth: 12, padding: 3);
    }
}
