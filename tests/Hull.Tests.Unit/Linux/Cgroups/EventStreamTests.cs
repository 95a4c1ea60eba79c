using Hull.Abstractions.Events;
using Hull.Plugins.Linux.Cgroups;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

/// <summary>The events loop against a scripted waiter and a fake clock: no cgroups, no waiting.</summary>
public class EventStreamTests
{
    /// <summary>Plays back wakes; a Tick moves the clock to the deadline the loop asked for.</summary>
    sealed class ScriptedWaiter(FakeClock clock, params EventWake[] wakes) : IEventWaiter
    {
        readonly Queue<EventWake> script = new(wakes);
        public List<TimeSpan> Timeouts { get; } = [];

        public EventWake Wait(TimeSpan timeout)
        {
            Timeouts.Add(timeout);
            var wake = script.Count > 0 ? script.Dequeue() : EventWake.Ended;
            if (wake == EventWake.Tick) clock.Now += (long)timeout.TotalMilliseconds;
            return wake;
        }

        public void Dispose() { }
    }

    sealed class FakeClock
    {
        public long Now { get; set; } = 1000;
    }

    static Stats StatsWithPids(ulong n) => new() { Pids = new PidsStats(n) };

    [Fact]
    public void StatsEveryIntervalAndOomAsItComesUntilTheContainerEnds()
    {
        var clock = new FakeClock();
        var waiter = new ScriptedWaiter(clock, EventWake.Tick, EventWake.Oom, EventWake.Tick, EventWake.Ended);
        ulong reads = 0;
        var events = EventStream.Run("c1", TimeSpan.FromSeconds(5), () => StatsWithPids(++reads), waiter, _ => { }, () => clock.Now).ToList();

        Assert.Equal(["stats", "oom", "stats"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("c1", e.Id));
        Assert.Equal(1UL, events[0].Data!.Pids.Current);
        Assert.Null(events[1].Data);
        Assert.Equal(2UL, events[2].Data!.Pids.Current);
        // Each wait asks for the time until the next tick; the OOM came without the clock moving.
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], waiter.Timeouts.Take(3));
    }

    [Fact]
    public void AnOomDoesNotShiftTheTicks()
    {
        var clock = new FakeClock();
        var waiter = new ScriptedWaiter(clock, EventWake.Oom, EventWake.Tick, EventWake.Ended);
        var stream = EventStream.Run("c1", TimeSpan.FromSeconds(2), () => new Stats(), waiter, _ => { }, () => clock.Now);
        using var e = stream.GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal("oom", e.Current.Type);
        clock.Now += 1500; // the OOM arrived 1.5 s into the interval
        Assert.True(e.MoveNext());
        Assert.Equal("stats", e.Current.Type);
        Assert.Equal(TimeSpan.FromMilliseconds(500), waiter.Timeouts[1]);
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void AFailedStatsReadIsReportedAndSkipped()
    {
        var clock = new FakeClock();
        var waiter = new ScriptedWaiter(clock, EventWake.Tick, EventWake.Tick, EventWake.Ended);
        var warnings = new List<string>();
        var calls = 0;
        Stats Read() => ++calls == 1 ? throw new CgroupException("memory.stat: gone") : new Stats();
        var events = EventStream.Run("c1", TimeSpan.FromSeconds(1), Read, waiter, warnings.Add, () => clock.Now).ToList();

        Assert.Equal(["stats"], events.Select(e => e.Type));
        Assert.Equal(["reading the stats of container c1: memory.stat: gone"], warnings);
    }

    [Fact]
    public void ASlowReaderLosesTicksInsteadOfGettingABurst()
    {
        var clock = new FakeClock();
        var waiter = new ScriptedWaiter(clock, EventWake.Tick, EventWake.Tick, EventWake.Tick, EventWake.Ended);
        using var e = EventStream.Run("c1", TimeSpan.FromSeconds(1), () => new Stats(), waiter, _ => { }, () => clock.Now).GetEnumerator();
        Assert.True(e.MoveNext());
        clock.Now += 3500; // the reader took 3.5 intervals over the first event
        Assert.True(e.MoveNext()); // the overdue tick comes at once...
        Assert.True(e.MoveNext()); // ...and the next one a whole interval later, not three more at once
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromSeconds(1)], waiter.Timeouts);
    }

    /// <summary>A timeout that ends a little early (poll rounds to milliseconds) is not yet a tick.</summary>
    sealed class EarlyWaiter(FakeClock clock) : IEventWaiter
    {
        public List<TimeSpan> Timeouts { get; } = [];

        public EventWake Wait(TimeSpan timeout)
        {
            Timeouts.Add(timeout);
            if (Timeouts.Count > 2) return EventWake.Ended;
            clock.Now += (long)timeout.TotalMilliseconds - (Timeouts.Count == 1 ? 3 : 0);
            return EventWake.Tick;
        }

        public void Dispose() { }
    }

    [Fact]
    public void AnEarlyTimeoutWaitsOutTheRestOfTheInterval()
    {
        var clock = new FakeClock();
        var waiter = new EarlyWaiter(clock);
        var events = EventStream.Run("c1", TimeSpan.FromSeconds(1), () => new Stats(), waiter, _ => { }, () => clock.Now).ToList();
        Assert.Single(events);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(3), TimeSpan.FromSeconds(1)], waiter.Timeouts);
    }
}
