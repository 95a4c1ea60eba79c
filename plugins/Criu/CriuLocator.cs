using System.Runtime.Versioning;
using Hull.Abstractions.Errors;

namespace Hull.Plugins.Criu;

/// <summary>Finds the criu binary: an explicit path (runc's --criu) or the first criu on PATH.</summary>
[SupportedOSPlatform("linux")]
internal static class CriuLocator
{
    public static string Locate(string? explicitPath, string? pathVariable)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            // A bare name (runc's default "criu") means: look it up on PATH.
            if (!explicitPath.Contains('/')) return Search(explicitPath, pathVariable);
            if (IsExecutableFile(explicitPath)) return Path.GetFullPath(explicitPath);
            throw new HullException($"checkpoint/restore need CRIU, but --criu {explicitPath} is not an executable file");
        }
        return Search("criu", pathVariable);
    }

    static string Search(string name, string? pathVariable)
    {
        var dirs = (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, name);
            if (IsExecutableFile(candidate)) return candidate;
        }
        throw new HullException(
            $"checkpoint/restore need CRIU {CriuVersion.Minimum} or newer, but {name} was not found on PATH ({pathVariable ?? "unset"}): install CRIU or give its path with --criu");
    }

    static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path)) return false;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
