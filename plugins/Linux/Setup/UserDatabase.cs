using System.Globalization;

namespace Hull.Plugins.Linux.Setup;

/// <summary>One /etc/passwd line: name:password:uid:gid:gecos:home:shell.</summary>
internal sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home);

/// <summary>Reads passwd files the way runc's user package does (first match wins, junk lines skipped).</summary>
internal static class UserDatabase
{
    internal static PasswdEntry? FindUser(string passwd, uint uid)
    {
        foreach (var raw in passwd.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split(':');
            if (f.Length < 4) continue;
            if (!uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var u) || u != uid) continue;
            uint.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid);
            return new PasswdEntry(f[0], u, gid, f.Length > 5 ? f[5] : "");
        }
        return null;
    }
}
