using Hull.Plugins.Criu.Rpc;

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

    /// <summary>
    /// The message to show: what failed and why, then the log's last error lines, naming the log.
    /// The reason is the last real error in the log: CRIU's cr_errmsg is its first error, often a
    /// harmless one (e.g. failing to raise RLIMIT_NOFILE), and its last is only "Dumping FAILED.".
    /// </summary>
    public static string Quote(string what, Exception failure, string logPath)
    {
        var errors = LastErrors(logPath);
        var reason = failure is CriuRequestFailedException criu && LastCause(errors) is { } cause ? criu.WithReason(cause) : failure.Message;
        var head = $"{what}: {reason}";
        if (errors.Count == 0)
            return File.Exists(logPath) ? $"{head} (see {logPath})" : head;
        return $"{head} (see {logPath}); its last errors:\n  " + string.Join("\n  ", errors);
    }

    /// <summary>"12: (00.07) Error (criu/pstree.c:304): The root process ..." → "The root process ...", skipping "... FAILED." summaries.</summary>
    internal static string? LastCause(IReadOnlyList<string> errors)
    {
        for (var i = errors.Count - 1; i >= 0; i--)
        {
            var line = errors[i];
            var start = line.IndexOf("): ", StringComparison.Ordinal);
            var text = start >= 0 ? line[(start + 3)..].Trim() : line[(line.IndexOf("Error:", StringComparison.Ordinal) + 6)..].Trim();
            if (text.Length > 0 && !text.EndsWith("FAILED.", StringComparison.Ordinal)) return text;
        }
        return null;
    }

    // CRIU writes "(00.012345) Error (criu/file.c:123): ..." and, from some paths, "Error: ...".
    static bool IsError(string line) => line.Contains("Error (", StringComparison.Ordinal) || line.Contains("Error:", StringComparison.Ordinal);
}
