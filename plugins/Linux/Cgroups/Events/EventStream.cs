using Hull.Abstractions.Errors;
using Hull.Abstractions.Events;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>What ended a wait of the events loop.</summary>
internal enum EventWake
{
    /// <summary>The time asked for passed: stats are due.</summary>
    Tick,
    /// <summary>The kernel OOM-killed (v2) or stopped (v1) a process of the container.</summary>
    Oom,
    /// <summary>The container stopped (its init exited, its cgroup emptied or went) or the reader cancelled.</summary>
    Ended,
}

/// <summary>Waits for whichever comes first: an OOM, the container's end, or the timeout.</summary>
internal interface IEventWaiter : IDisposable
{
    EventWake Wait(TimeSpan timeout);
}

/// <summary>
/// `events` without --stats: a "stats" event every interval and an "oom" event as each OOM happens, in
/// runc's shape, until the container stops. Single-threaded: the waiter blocks until the next event is due.
/// </summary>
internal static class EventStream
{
    public const string StatsType = "stats", OomType = "oom";

    /// <param name="stats">Reads the container's stats; a failure is reported to <paramref name="warn"/> and that
    /// tick skipped, as runc logs and carries on.</param>
    /// <param name="clock">Milliseconds of a monotonic clock (a seam for tests).</param>
    public static IEnumerable<ContainerEvent> Run(string id, TimeSpan interval, Func<Stats> stats, IEventWaiter waiter,
        Action<string> warn, Func<long>? clock = null)
    {
        clock ??= () => Environment.TickCount64;
        var period = Math.Max(1L, (long)interval.TotalMilliseconds);
        var due = clock() + period;
        while (true)
        {
            switch (waiter.Wait(TimeSpan.FromMilliseconds(Math.Max(0, due - clock()))))
            {
                case EventWake.Ended:
                    yield break;
                case EventWake.Oom:
                    yield return new ContainerEvent(OomType, id, null);
                    continue;
            }
            var now = clock();
            if (now < due) continue;
            // A slow reader loses ticks instead of getting a burst of them (as Go's ticker drops them).
            due += period;
            if (due <= now) due = now + period;
            Stats? data = null;
            try
            {
                data = stats();
            }
            catch (HullException e)
            {
                warn($"reading the stats of container {id}: {e.Message}");
            }
            if (data is not null) yield return new ContainerEvent(StatsType, id, data);
        }
    }
}
