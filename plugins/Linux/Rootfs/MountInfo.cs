using System.Globalization;
using System.Text;

namespace Hull.Plugins.Linux.Rootfs;

/// <summary>One line of /proc/self/mountinfo.</summary>
internal sealed record MountInfoEntry(
    int Id,
    int ParentId,
    string Root,
    string Mountpoint,
    IReadOnlyList<string> OptionalFields,
    string FsType,
    string Source,
    IReadOnlyList<string> SuperOptions)
{
    public bool IsShared => OptionalFields.Any(f => f.StartsWith("shared:", StringComparison.Ordinal));
}

internal static class MountInfo
{
    /// <summary>Parses mountinfo (proc(5)); malformed lines are skipped.</summary>
    internal static IReadOnlyList<MountInfoEntry> Parse(string text)
    {
        var entries = new List<MountInfoEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ');
            if (f.Length < 9) continue;
            // Optional fields (field 7 on) end at a lone "-"; fstype and source follow.
            var dash = Array.IndexOf(f, "-", 6);
            if (dash < 0 || dash + 2 >= f.Length) continue;
            if (!int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)) continue;
            entries.Add(new MountInfoEntry(
                id, parent, Unescape(f[3]), Unescape(f[4]),
                f[6..dash],
                Unescape(f[dash + 1]), Unescape(f[dash + 2]),
                dash + 3 < f.Length ? f[dash + 3].Split(',') : []));
        }
        return entries;
    }

    /// <summary>The mount <paramref name="path"/> lives on: the last-mounted entry whose mountpoint
    /// is the longest prefix of it (runc's getParentMount).</summary>
    internal static MountInfoEntry? MountOf(IReadOnlyList<MountInfoEntry> mounts, string path)
    {
        MountInfoEntry? best = null;
        foreach (var m in mounts)
        {
            if (!IsAtOrUnder(path, m.Mountpoint)) continue;
            if (best is null || m.Mountpoint.Length >= best.Mountpoint.Length) best = m;
        }
        return best;
    }

    internal static bool IsAtOrUnder(string path, string dir) =>
        dir == "/" || path == dir || path.StartsWith(dir + "/", StringComparison.Ordinal);

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        return sb.ToString();
    }

    static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
