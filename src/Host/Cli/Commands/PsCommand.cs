using System.Text;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

internal static class PsCommand
{
    /// <summary>What runc runs ps with when no ps options are given.</summary>
    public static readonly string[] DefaultPsArgs = ["-ef"];

    public static HullCommand Build(CliSession session) => new("ps", "ps displays the processes running inside a container")
    {
        ArgsUsage = Operands.ContainerIdUsage + " [ps options]",
        UsageNote = "Everything after \"<container-id>\" is passed to ps (default: -ef).",
        FirstOperandEndsFlags = true,
        Define = command =>
        {
            var format = OutputFormat.Flag();
            var id = Operands.ContainerId();
            var psArgs = Operands.Rest("ps-options");
            command.Options.Add(format);
            command.Arguments.Add(id);
            command.Arguments.Add(psArgs);
            command.SetAction(result =>
            {
                var json = OutputFormat.IsJson(result, format);
                var container = result.GetValue(id)!;
                if (json)
                {
                    session.Out.WriteLine(PidsJson(session.Backend.Pids(container)));
                    return 0;
                }
                var args = result.GetValue(psArgs) is { Length: > 0 } given ? given : DefaultPsArgs;
                session.Out.Write(session.Backend.ProcessTable(new PsRequest(container, args)));
                return 0;
            });
        },
    };

    /// <summary>A JSON array of numbers needs no serializer. No processes print `null`, as runc
    /// (Go encodes its nil slice so) and clients parsing its output expect.</summary>
    public static string PidsJson(IReadOnlyList<int> pids)
    {
        if (pids.Count == 0) return "null";
        var sb = new StringBuilder("[");
        for (var i = 0; i < pids.Count; i++)
            sb.Append(i == 0 ? "" : ",").Append(pids[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        return sb.Append(']').ToString();
    }
}
