using System.CommandLine;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

/// <summary>The flags create, run (and in part restore) share, and how they fill <see cref="LaunchOptions"/>.</summary>
internal sealed class LaunchFlags
{
    public const string BundleDescription = "path to the root of the bundle directory, defaults to the current directory";
    public const string ConsoleSocketDescription =
        "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal";
    public const string PidFileDescription = "file to write the process id to";
    public const string DetachDescription = "detach from the container's process";
    public const string NoSubreaperDescription = "disable the use of the subreaper used to reap reparented processes";
    public const string NoPivotDescription =
        "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk";
    public const string PreserveFdsDescription =
        "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)";

    public Option<string?> Bundle { get; } = Flags.Text("--bundle", BundleDescription, "-b");
    public Option<string?> ConsoleSocket { get; } = Flags.Text("--console-socket", ConsoleSocketDescription);
    public Option<string?> PidFile { get; } = Flags.Text("--pid-file", PidFileDescription);
    public Option<bool> NoPivot { get; } = Flags.Bool("--no-pivot", NoPivotDescription);
    public Option<bool> NoNewKeyring { get; } = Flags.Bool("--no-new-keyring",
        "do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key");
    public Option<int> PreserveFds { get; } = PreserveFdsFlag();

    public static Option<int> PreserveFdsFlag() =>
        Flags.Parsed("--preserve-fds", PreserveFdsDescription, 0, t => Flags.ParseInt(t) is >= 0 and var n ? n : null, "a number of file descriptors, 0 or more");

    /// <summary>Fills the shared members of create's or run's request.</summary>
    public T Apply<T>(T request, ParseResult result, CliSession session) where T : LaunchOptions =>
        (T)(request with
        {
            ConsoleSocket = OptionalPath(result.GetValue(ConsoleSocket), session),
            PidFile = OptionalPath(result.GetValue(PidFile), session),
            PreserveFds = result.GetValue(PreserveFds),
            NoPivot = result.GetValue(NoPivot),
            NoNewKeyring = result.GetValue(NoNewKeyring),
        });

    /// <summary>A path flag made absolute against the working directory; runc resolves --pid-file so, and hull treats --console-socket alike.</summary>
    public static string? OptionalPath(string? path, CliSession session) =>
        string.IsNullOrEmpty(path) ? null : session.FullPath(path);
}
