using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// Finds process.args[0] inside the container (after pivot_root), as runc does before it reports
/// ready, so that `create` fails with runc's clear message instead of the container dying at start.
/// </summary>
internal sealed class ExecutableLookup(Func<string, UnixFileMode?> modeOf)
{
    /// <summary>The mode of a file, or null when it does not exist; directories report as such.</summary>
    public static ExecutableLookup Real { get; } = new(path =>
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Exists) return info.UnixFileMode;
            return Directory.Exists(path) ? UnixFileMode.None | DirectoryMarker : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    });

    /// <summary>A bit no file mode uses, marking a directory.</summary>
    internal const UnixFileMode DirectoryMarker = (UnixFileMode)0x10000;

    const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The path to execve, or a HullException worded as runc's (Go's exec.LookPath).</summary>
    public string Find(string name, IReadOnlyList<string> env)
    {
        if (name.Contains('/'))
        {
            var problem = Check(name);
            return problem is null ? name : throw Fail(name, problem);
        }
        var pathVar = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? "";
        if (pathVar.Length > 0)
            foreach (var dir in pathVar.Split(':'))
            {
                var candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
                if (Check(candidate) is null) return candidate;
            }
        throw Fail(name, "executable file not found in $PATH");
    }

    string? Check(string path) => modeOf(path) switch
    {
        null => $"stat {path}: no such file or directory",
        var m when (m & DirectoryMarker) != 0 || (m & AnyExecute) == 0 => "permission denied",
        _ => null,
    };

    static HullException Fail(string name, string problem) => new($"exec: \"{name}\": {problem}");
}
