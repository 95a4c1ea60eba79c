using System.Text;
using Hull.Abstractions.Runtime;

namespace Hull.Cli.Logging;

/// <summary>
/// The host's log, handed to plugins too. Lines go to the --log file (appended; created 0644 as
/// runc does) or, without --log, to stderr, in the --log-format. As runc: the final error of a
/// command is also printed to stderr as "hull: message" when the log goes to a file, so a person
/// sees it and containerd still finds it in the file.
/// </summary>
internal sealed class HullLog(TextWriter stderr, string? logFile, LogFormat format, bool debug, Func<DateTimeOffset> clock)
    : IHullLog, IDisposable
{
    private Stream? _file;
    private bool _fileFailed;

    public bool IsDebugEnabled => debug;

    public void Debug(string message)
    {
        if (debug)
            Write(LogLevel.Debug, message);
    }

    public void Info(string message) => Write(LogLevel.Info, message);

    public void Warn(string message) => Write(LogLevel.Warning, message);

    public void Error(string message) => Write(LogLevel.Error, message);

    /// <summary>The error that ends the command.</summary>
    public void Fatal(string message)
    {
        if (Write(LogLevel.Error, message))
            stderr.WriteLine(LogLine.Terminal(LogLevel.Error, message));
    }

    /// <summary>Writes one line; true when it went to the log file rather than stderr.</summary>
    private bool Write(string level, string message)
    {
        var file = logFile is null ? null : OpenFile();
        if (file is null)
        {
            stderr.WriteLine(format == LogFormat.Json && logFile is null
                ? LogLine.Json(level, message, clock())
                : LogLine.Terminal(level, message));
            return false;
        }
        var line = format == LogFormat.Json ? LogLine.Json(level, message, clock()) : LogLine.FileText(level, message, clock());
        // One write per line, so lines from concurrent hull processes never interleave.
        file.Write(Encoding.UTF8.GetBytes(line + "\n"));
        return true;
    }

    private Stream? OpenFile()
    {
        if (_file is not null || _fileFailed)
            return _file;
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            _file = new FileStream(logFile!, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _fileFailed = true;
            stderr.WriteLine(LogLine.Terminal(LogLevel.Warning, $"cannot open log file {logFile}: {e.Message}; logging to stderr"));
        }
        return _file;
    }

    public void Dispose() => _file?.Dispose();
}
