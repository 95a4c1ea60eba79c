using System.CommandLine;
using System.CommandLine.Invocation;
using Hull.Abstractions.Errors;
using Hull.Cli.CommandLine;

namespace Hull.Cli;

/// <summary>
/// The whole `hull` command line. Both executables (native, with the first-party plugins compiled
/// in, and the plugin host) are a call to <see cref="Run(string[], IPluginCatalog)"/>.
/// </summary>
public static class HullApp
{
    /// <summary>Runs one hull command in this process and returns the exit status.</summary>
    public static int Run(string[] args, IPluginCatalog catalog) => Run(args, catalog, HostEnvironment.FromProcess());

    /// <summary>The same with the process's streams, variables and platform given (tests run hull in-process with it).</summary>
    internal static int Run(IReadOnlyList<string> args, IPluginCatalog catalog, HostEnvironment environment)
    {
        using var session = new CliSession(environment, catalog);
        var tree = CommandTree.Build(session);
        var scan = ArgumentScanner.Scan(tree.Root, args, CommandTree.Program);
        var parse = tree.Root.Parse(scan.Arguments, new ParserConfiguration { EnablePosixBundling = false, ResponseFileTokenReplacer = null });
        try
        {
            var (logFile, logFormat, debug) = tree.Globals.ReadLogging(parse);
            session.UseLogging(logFile is null ? null : Path.GetFullPath(logFile, environment.WorkingDirectory), logFormat, debug);
            if (scan.Error is not null)
                return ReportUsage(session, tree, scan.Error);
            if (parse.Action is ParseErrorAction)
                return ReportUsage(session, tree, new UsageError(parse.Errors[0].Message, parse.CommandResult.Command as HullCommand ?? tree.Root));
            session.UseSettings(tree.Globals.Read(parse, environment));
            return parse.Invoke(new InvocationConfiguration
            {
                Output = environment.Out,
                Error = environment.Error,
                EnableDefaultExceptionHandler = false,
                // Signals are not System.CommandLine's to handle: run and exec forward them to the container.
                ProcessTerminationTimeout = null,
            });
        }
        catch (HullException e)
        {
            session.Log.Fatal(e.Message);
            return e.ExitCode;
        }
        catch (Exception e)
        {
            // Not a HullException: a failure nobody foresaw (an I/O error, a bug). Still one line and
            // status 1; --debug keeps the details.
            session.Log.Debug(e.ToString());
            session.Log.Fatal(e.Message);
            return 1;
        }
    }

    /// <summary>As runc: "Incorrect Usage" and the command's help on stdout, the error on stderr (and in the log).</summary>
    private static int ReportUsage(CliSession session, CommandTree tree, UsageError error)
    {
        if (error.HelpFor is not null)
            session.Out.Write($"Incorrect Usage: {error.Message}\n\n{tree.Help.Render(error.HelpFor, tree.Root)}");
        session.Log.Fatal(error.Message);
        return error.ExitCode;
    }
}
