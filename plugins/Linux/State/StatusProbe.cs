using System.Globalization;

namespace Hull.Plugins.Linux.State;

/// <summary>What the freezer says about a container's cgroup.</summary>
internal enum FreezerState { Thawed, Freezing, Frozen }

/// <summary>The cgroup side of status, asked about a container with cgroups.</summary>
internal interface IFreezerQuery
{
    FreezerState Query(ContainerRecord record);
}

/// <summary>The real one: the cgroups part re-opened from the recorded paths (v1 freezer.state, v2 cgroup.freeze).</summary>
internal sealed class CgroupFreezerQuery : IFreezerQuery
{
    public FreezerState Query(ContainerRecord record) =>
        Cgroups.CgroupManagers.Open(record.CgroupPaths, record.RootlessCgroups).GetFreezerState() == Cgroups.FreezerState.Frozen
            ? FreezerState.Frozen
            : FreezerState.Thawed;
}

/// <summary>One process as /proc/PID/stat shows it: its state letter and start time (clock ticks since boot).</summary>
internal readonly record struct ProcessStat(char State, ulong StartTime)
{
    /// <summary>A zombie or dead process has exited even though its pid is still there.</summary>
    public bool HasExited => State is 'Z' or 'X' or 'x';

    /// <summary>Parses /proc/PID/stat. The command name (field 2) may hold spaces and parentheses,
    /// so fields are counted from the last ')'. Null when the text is not a stat line.</summary>
    public static ProcessStat? Parse(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.Length < 20 || fields[0].Length != 1) return null;
        return ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new ProcessStat(fields[0][0], start)
            : null;
    }
}

/// <summary>The system facts status is derived from; faked in tests.</summary>
internal interface IStatusProbe
{
    /// <summary>/proc/PID/stat of <paramref name="pid"/>, or null when there is no such process.</summary>
    ProcessStat? Stat(int pid);

    bool Exists(string path);

    FreezerState Freezer(ContainerRecord record);
}

internal sealed class SystemStatusProbe(IFreezerQuery freezer) : IStatusProbe
{
    public ProcessStat? Stat(int pid)
    {
        var stat = Interop.Libc.Fs.TryReadText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        return stat is null ? null : ProcessStat.Parse(stat);
    }

    // The fifo is looked at, never opened: opening it would start the container.
    public bool Exists(string path) => Path.Exists(path);

    public FreezerState Freezer(ContainerRecord record) =>
        record.CgroupPaths.Count == 0 ? FreezerState.Thawed : freezer.Query(record);
}

/// <summary>Status from the system, never trusted from the file (runc's refreshState, done right).</summary>
internal static class StatusDerivation
{
    /// <param name="creatorAlive">Whether the `create` that recorded "creating" still holds the
    /// container's lock; a creating record whose creator died is what is left of a failed create.</param>
    internal static Status Derive(ContainerRecord record, IStatusProbe probe, bool creatorAlive)
    {
        if (record.Status == Status.Creating && creatorAlive) return Status.Creating;
        if (!InitAlive(record, probe)) return Status.Stopped;
        switch (probe.Freezer(record))
        {
            case FreezerState.Frozen: return Status.Paused;
            case FreezerState.Freezing: return Status.Pausing;
        }
        return record.ExecFifoPath is { } fifo && probe.Exists(fifo) ? Status.Created : Status.Running;
    }

    /// <summary>The recorded init is alive: same pid, same start time (so not a reused pid), not a zombie.</summary>
    internal static bool InitAlive(ContainerRecord record, IStatusProbe probe) =>
        record.InitPid > 0
        && probe.Stat(record.InitPid) is { } stat
        && stat.StartTime == record.InitStartTime
        && !stat.HasExited;
}
