using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>What /proc says about a pid: liveness checked against the start time, so a reused pid
/// is never mistaken for the container's init.</summary>
internal static unsafe class ProcessInfo
{
    /// <summary>Field 22 (starttime) of /proc/PID/stat, or null when there is no such process.</summary>
    public static ulong? StartTime(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        return ParseStartTime(stat);
    }

    /// <summary>Parses starttime out of a stat line; the command (field 2) may hold spaces and parentheses.</summary>
    public static ulong? ParseStartTime(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        // After ") " come fields 3.. : state is field 3, starttime is field 22.
        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 19 && ulong.TryParse(fields[19], out var v) ? v : null;
    }

    /// <summary>Process state letter (field 3): 'Z' is a zombie, which counts as gone.</summary>
    static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length ? stat[close + 2] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Whether the process that had <paramref name="startTime"/> still runs (zombies do not).</summary>
    public static bool IsAlive(int pid, ulong startTime) =>
        pid > 0 && StartTime(pid) == startTime && State(pid) is not ('Z' or 'X' or null);

    /// <summary>Waits until the process is gone (or a zombie), up to <paramref name="timeout"/>.</summary>
    public static bool WaitGone(int pid, ulong startTime, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (IsAlive(pid, startTime))
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(2);
        }
        return true;
    }
}
