using System.CommandLine;
using System.CommandLine.Invocation;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Help;

/// <summary>--help and -h, anywhere: the help of the command given (or of hull), and nothing else runs.</summary>
internal sealed class HelpAction(CliSession session, HelpRenderer renderer, HullCommand root) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command as HullCommand ?? root;
        session.Out.Write(renderer.Render(command, root));
        return 0;
    }
}

/// <summary>--version and -v.</summary>
internal sealed class VersionAction(CliSession session) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        session.Out.Write(VersionInfo.Text(session.Catalog, withProgramName: true));
        return 0;
    }
}
