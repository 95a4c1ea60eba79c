using System.Runtime.InteropServices;
using Hull.Abstractions.Plugins;

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
        Console.Out,
        Console.Error,
        // Opened only by the command that reads stdin (update -r -): the container's process may own it.
        () => Console.In,
        Environment.GetEnvironmentVariable,
        PlatformInfo.Current,
        Environment.CurrentDirectory,
        () => DateTimeOffset.Now,
        CancelOnSigintOrSigterm);

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
