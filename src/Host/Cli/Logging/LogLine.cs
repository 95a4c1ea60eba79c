using System.Text;
using Hull.Cli.Output;

namespace Hull.Cli.Logging;

/// <summary>
/// The shapes of one log line. JSON lines are what runc writes through logrus
/// ({"level":"error","msg":"...","time":"..."}, keys sorted, HTML characters escaped as Go does);
/// text lines in a log file are logrus's text lines (time="..." level=error msg="..."); on the
/// terminal a line is just "hull: message".
/// </summary>
internal static class LogLine
{
    public static string Json(string level, string message, DateTimeOffset time)
    {
        var sb = new StringBuilder(message.Length + 64);
        sb.Append("{\"level\":\"").Append(level).Append("\",\"msg\":");
        AppendQuoted(sb, message);
        sb.Append(",\"time\":\"").Append(GoTime.FormatRfc3339Nano(time)).Append("\"}");
        return sb.ToString();
    }

    public static string FileText(string level, string message, DateTimeOffset time)
    {
        var sb = new StringBuilder(message.Length + 64);
        sb.Append("time=\"").Append(GoTime.FormatRfc3339Nano(time)).Append("\" level=").Append(level).Append(" msg=");
        AppendQuoted(sb, message);
        return sb.ToString();
    }

    public static string Terminal(string level, string message) =>
        level == LogLevel.Error ? "hull: " + message : $"hull: {level}: {message}";

    /// <summary>A JSON string literal, escaped as Go's encoding/json does (AOT-safe, no serializer needed).</summary>
    public static void AppendQuoted(StringBuilder sb, string value) =>
        sb.Append('"').Append(Hull.Abstractions.Oci.GoJsonEncoder.Instance.Encode(value)).Append('"');
}

/// <summary>Level names as logrus spells them.</summary>
internal static class LogLevel
{
    public const string Debug = "debug";
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Error = "error";
}
