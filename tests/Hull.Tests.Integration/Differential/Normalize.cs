using System.Text;
using System.Text.RegularExpressions;

namespace Hull.Tests.Integration.Differential;

/// <summary>
/// What may differ between runc's and hull's output by design: the runtime's own error lines
/// (runc logs `time=".." level=error msg="runc run failed: ..."`, hull prints `hull: ...`).
/// Both become `error: <message>`; the container's own output is left alone.
/// </summary>
public static partial class Normalize
{
    public static string Stderr(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (RuncError().Match(lines[i]) is { Success: true } m)
                lines[i] = "error: " + StripCommandPrefix(Unquote(m.Groups[1].Value));
            else if (lines[i].StartsWith("hull: ", StringComparison.Ordinal))
                lines[i] = "error: " + lines[i]["hull: ".Length..];
        }
        return string.Join('\n', lines);
    }

    /// <summary>runc 1.1 prefixes "runc run failed: " / "runc create failed: "; hull does not repeat the command.</summary>
    static string StripCommandPrefix(string message) => CommandPrefix().Replace(message, "");

    /// <summary>logrus quotes msg as Go's %q does.</summary>
    static string Unquote(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
                sb.Append(s[i] switch { 'n' => '\n', 't' => '\t', _ => s[i] });
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    [GeneratedRegex("^time=\"[^\"]*\" level=error msg=\"(.*)\"$")]
    private static partial Regex RuncError();

    [GeneratedRegex("^runc (run|create|start|delete|kill) failed: ")]
    private static partial Regex CommandPrefix();
}
