using System.CommandLine;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Runtime;
using Hull.Cli.Logging;
using Hull.Cli.Values;

namespace Hull.Cli.CommandLine;

/// <summary>The global flags as they were given, checked.</summary>
/// <param name="Backend">The backend forced by --backend or HULL_BACKEND, or null.</param>
/// <param name="BackendSource">Which of the two named it, for errors.</param>
/// <param name="CriuGiven">--criu was given (accepted for compatibility, ignored).</param>
internal sealed record GlobalSettings(
    RuntimeOptions Runtime,
    string? LogFile,
    LogFormat LogFormat,
    string? Backend,
    string BackendSource,
    bool CriuGiven);

/// <summary>runc's global flags, plus hull's hidden --backend.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultRoot = "/run/hull";
    public const string BackendVariable = "HULL_BACKEND";

    public Option<bool> Debug { get; } = Flags.Bool("--debug", "enable debug logging");
    public Option<string?> Log { get; } = Flags.Text("--log", "set the log file to write hull logs to (default is '/dev/stderr')");
    public Option<string?> LogFormat { get; } = Flags.Text("--log-format", "set the log format ('text' (default), or 'json')");
    public Option<string?> Root { get; } = Flags.Text("--root", "root directory for storage of container state (this should be located in tmpfs)");
    public Option<string?> Criu { get; } = Flags.Text("--criu", "accepted for compatibility with runc and ignored: hull reaches CRIU through its criu plugin");
    public Option<bool> SystemdCgroup { get; } = Flags.Bool("--systemd-cgroup",
        "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. \"system.slice:hull:434234\"");
    public Option<string?> Rootless { get; } = Flags.Text("--rootless", "ignore cgroup permission errors ('true', 'false', or 'auto')");
    public Option<string?> Backend { get; } = Flags.Text("--backend", $"use the named backend plugin (as {BackendVariable})");
    public HelpFlag Help { get; } = new();
    public Option<bool> Version { get; } = Flags.Bool("--version", "print the version", "-v");

    public void AddTo(HullCommand root)
    {
        Backend.Hidden = true;
        foreach (var option in new Option[] { Debug, Log, LogFormat, Root, Criu, SystemdCgroup, Rootless, Backend, Help, Version })
            root.Options.Add(option);
        root.ShownDefaults[LogFormat] = "\"text\"";
        root.ShownDefaults[Root] = $"\"{DefaultRoot}\"";
        root.ShownDefaults[Rootless] = "\"auto\"";
    }

    /// <summary>The logging flags alone: they are needed to report every other error, bad global flags included.</summary>
    public (string? File, LogFormat Format, bool Debug) ReadLogging(ParseResult result)
    {
        var format = result.GetValue(LogFormat) switch
        {
            null or "text" => Logging.LogFormat.Text,
            "json" => Logging.LogFormat.Json,
            var other => throw new UsageException($"invalid --log-format \"{other}\": use text or json"),
        };
        // An empty --log means the default, stderr, as with runc.
        return (result.GetValue(Log) is { Length: > 0 } file ? file : null, format, result.GetValue(Debug));
    }

    public GlobalSettings Read(ParseResult result, HostEnvironment environment)
    {
        var (logFile, logFormat, debug) = ReadLogging(result);
        var root = result.GetValue(Root);
        if (root is { Length: 0 })
            throw new UsageException("--root is empty: give the directory for container state, or leave --root out");
        var backend = result.GetValue(Backend);
        var source = "--backend";
        if (string.IsNullOrEmpty(backend))
        {
            backend = environment.GetVariable(BackendVariable);
            source = BackendVariable;
        }
        return new GlobalSettings(
            new RuntimeOptions(
                root is null ? null : Path.GetFullPath(root, environment.WorkingDirectory),
                ParseRootless(result.GetValue(Rootless)),
                result.GetValue(SystemdCgroup),
                debug),
            logFile,
            logFormat,
            string.IsNullOrEmpty(backend) ? null : backend,
            source,
            result.GetResult(Criu) is not null);
    }

    private static RootlessMode ParseRootless(string? value)
    {
        if (value is null or "auto")
            return RootlessMode.Auto;
        if (GoBool.TryParse(value, out var rootless))
            return rootless ? RootlessMode.True : RootlessMode.False;
        throw new UsageException($"invalid --rootless \"{value}\": use auto, true or false");
    }
}
