using System.Runtime.InteropServices;
using System.Text;
using Hull.Abstractions.Plugins;
using Hull.Cli.Output;

namespace Hull.Cli;

/// <summary>
/// Everything the CLI takes from its process: streams, environment variables, the platform, the
/// working directory, the clock and Ctrl-C. Tests run the whole CLI in-process with their own.
/// </summary>
internal sealed record HostEnvironment(
    TextWriter Out,
    TextWriter Error,
    Func<TextReader> In,
    Func<string, string?> GetVariable,
    PlatformInfo Platform,
    string WorkingDirectory,
    Func<DateTimeOffset> Clock,
    Func<CancellationToken> InterruptToken)
{
    public static HostEnvironment FromProcess() => new(
        Writer(1),
        Writer(2),
        // Opened only by the command that reads stdin (update -r -).
        () => new StreamReader(StandardStream.Open(0), Encoding.UTF8),
        Environment.GetEnvironmentVariable,
        PlatformInfo.Current,
        Environment.CurrentDirectory,
        () => DateTimeOffset.Now,
        CancelOnSigintOrSigterm);

    // Every write goes out at once, as Go's do: nothing is lost if a backend execs or exits.
    private static StreamWriter Writer(int fd) => new(StandardStream.Open(fd), new UTF8Encoding(false)) { AutoFlush = true };

    // Only streaming commands (events) ask for this, so no other command pays for the handlers.
    private static CancellationToken CancelOnSigintOrSigterm()
    {
        var cts = new CancellationTokenSource();
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }
        // Kept alive for the life of the process: the registrations must outlive this method.
        s_registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel)];
        return cts.Token;
    }

    private static PosixSignalRegistration[]? s_registrations;
}
