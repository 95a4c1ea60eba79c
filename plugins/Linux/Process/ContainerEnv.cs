namespace Hull.Plugins.Linux.Process;

/// <summary>The environment the container's process gets: process.env plus what runc adds.</summary>
internal static class ContainerEnv
{
    /// <summary>
    /// process.env, then <paramref name="extra"/> (LISTEN_FDS...), and HOME when process.env has
    /// none: the user's home from the container's /etc/passwd, else "/" (runc's rule).
    /// </summary>
    public static IReadOnlyList<string> Build(IReadOnlyList<string>? env, IReadOnlyList<string> extra, uint uid, string? passwd)
    {
        List<string> result = [.. env ?? [], .. extra];
        if (!result.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            result.Add("HOME=" + (HomeOf(uid, passwd) ?? "/"));
        return result;
    }

    static string? HomeOf(uint uid, string? passwd)
    {
        foreach (var line in (passwd ?? "").Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 6 && uint.TryParse(fields[2], out var u) && u == uid) return fields[5];
        }
        return null;
    }
}
