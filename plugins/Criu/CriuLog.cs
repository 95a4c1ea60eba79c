namespace Hull.Plugins.Criu;

/// <summary>Reads the error lines out of a CRIU log, to quote them when a request fails.</summary>
internal static class CriuLog
{
    /// <summary>The last <paramref name="max"/> lines with an error, as "LINE: text"; none if the log is missing.</summary>
    public static IReadOnlyList<string> LastErrors(string logPath, int max = 5)
    {
        var found = new Queue<string>();
        try
        {
            var number = 0;
            foreach (var line in File.ReadLines(logPath))
            {
                number++;
                if (!IsError(line)) continue;
                if (found.Count == max) found.Dequeue();
                found.Enqueue($"{number}: {line.Trim()}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return [.. found];
    }

    /// <summary>The message to show: what failed, then the log's error lines, naming the log.</summary>
    public static string Quote(string failure, string logPath)
    {
        var errors = LastErrors(logPath);
        if (errors.Count == 0)
            return File.Exists(logPath) ? $"{failure} (see {logPath})" : failure;
        return $"{failure} (see {logPath}); its last errors:\n  " + string.Join("\n  ", errors);
    }

    // CRIU writes "(00.012345) Error (criu/file.c:123): ..." and, from some paths, "Error: ...".
    static bool IsError(string line) => line.Contains("Error (", StringComparison.Ordinal) || line.Contains("Error:", StringComparison.Ordinal);
}
