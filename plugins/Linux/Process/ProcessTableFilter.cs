using System.Globalization;
using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Process;

/// <summary>`ps` output cut down to a container's processes, as runc's ps command does it.</summary>
internal static class ProcessTableFilter
{
    /// <summary>The header line, then each line whose PID column (found by the header's "PID") is in
    /// <paramref name="pids"/>; every line ends with a newline.</summary>
    public static string Filter(string psOutput, IReadOnlySet<int> pids)
    {
        var lines = psOutput.Split('\n');
        var header = lines[0];
        var pidIndex = Array.IndexOf(header.Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidIndex < 0) throw new HullException("couldn't find PID field in ps output: give ps options that print a PID column (e.g. -ef, or -o pid,...)");
        var result = new System.Text.StringBuilder(header).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length <= pidIndex || !int.TryParse(fields[pidIndex], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                throw new HullException($"unable to parse pid from ps output line: {line}");
            if (pids.Contains(pid)) result.Append(line).Append('\n');
        }
        return result.ToString();
    }
}
