using Hull.Plugins.Linux.State;
using Xunit;

namespace Hull.Tests.Unit.Linux.State;

sealed class FakeProbe : IStatusProbe
{
    public Dictionary<int, ProcessStat> Processes { get; } = [];
    public HashSet<string> Files { get; } = [];
    public FreezerState Freezer { get; set; } = FreezerState.Thawed;

    public ProcessStat? Stat(int pid) => Processes.TryGetValue(pid, out var s) ? s : null;
    public bool Exists(string path) => Files.Contains(path);
    FreezerState IStatusProbe.Freezer(ContainerRecord record) => Freezer;
}

public class StatusDerivationTests
{
    const string Fifo = "/run/hull/c1/exec.fifo";

    static ContainerRecord Record(Status recorded = Status.Created, int pid = 100, ulong start = 5000) => new()
    {
        Id = "c1",
        Bundle = "/b",
        Rootfs = "/b/rootfs",
        Status = recorded,
        InitPid = pid,
        InitStartTime = start,
        ExecFifoPath = Fifo,
    };

    static FakeProbe Alive(char state = 'S', ulong start = 5000)
    {
        var p = new FakeProbe();
        p.Processes[100] = new ProcessStat(state, start);
        return p;
    }

    [Fact]
    public void InitWaitingOnTheFifoIsCreated()
    {
        var probe = Alive();
        probe.Files.Add(Fifo);
        Assert.Equal(Status.Created, StatusDerivation.Derive(Record(), probe, creatorAlive: false));
    }

    [Fact]
    public void InitWithoutFifoIsRunning()
    {
        Assert.Equal(Status.Running, StatusDerivation.Derive(Record(), Alive(), false));
    }

    [Fact]
    public void NoProcessIsStopped()
    {
        Assert.Equal(Status.Stopped, StatusDerivation.Derive(Record(), new FakeProbe(), false));
    }

    [Fact]
    public void NeverStartedIsStopped()
    {
        Assert.Equal(Status.Stopped, StatusDerivation.Derive(Record(pid: 0), Alive(), false));
    }

    [Fact]
    public void ReusedPidIsStopped()
    {
        // Same pid, another process: its start time differs from the recorded one.
        Assert.Equal(Status.Stopped, StatusDerivation.Derive(Record(), Alive(start: 9999), false));
    }

    [Theory]
    [InlineData('Z')]
    [InlineData('X')]
    public void ZombieOrDeadInitIsStopped(char state)
    {
        Assert.Equal(Status.Stopped, StatusDerivation.Derive(Record(), Alive(state), false));
    }

    [Fact]
    public void FrozenCgroupIsPausedEvenBeforeStart()
    {
        var probe = Alive();
        probe.Files.Add(Fifo);
        probe.Freezer = FreezerState.Frozen;
        Assert.Equal(Status.Paused, StatusDerivation.Derive(Record(), probe, false));
    }

    [Fact]
    public void FreezingCgroupIsPausing()
    {
        var probe = Alive();
        probe.Freezer = FreezerState.Freezing;
        Assert.Equal(Status.Pausing, StatusDerivation.Derive(Record(), probe, false));
    }

    [Fact]
    public void DeadInitInAFrozenCgroupIsStopped()
    {
        var probe = new FakeProbe { Freezer = FreezerState.Frozen };
        Assert.Equal(Status.Stopped, StatusDerivation.Derive(Record(), probe, false));
    }

    [Fact]
    public void CreatingWhileTheCreatorHoldsTheLock()
    {
        Assert.Equal(Status.Creating, StatusDerivation.Derive(Record(Status.Creating, pid: 0), new FakeProbe(), creatorAlive: true));
        Assert.Equal(Status.Creating, StatusDerivation.Derive(Record(Status.Creating), Alive(), creatorAlive: true));
    }

    [Fact]
    public void CreatingWhoseCreatorDiedIsWhatTheSystemShows()
    {
        Assert.Equal(Status.Stopped, StatusDerivation.Derive(Record(Status.Creating, pid: 0), new FakeProbe(), creatorAlive: false));
        var probe = Alive();
        probe.Files.Add(Fifo);
        Assert.Equal(Status.Created, StatusDerivation.Derive(Record(Status.Creating), probe, creatorAlive: false));
    }

    [Fact]
    public void RecordedStatusIsNeverTrusted()
    {
        // state.json says running; the init is gone.
        Assert.Equal(Status.Stopped, StatusDerivation.Derive(Record(Status.Running), new FakeProbe(), false));
    }

    [Fact]
    public void StoppedStateReportsPidZeroAsRunc()
    {
        var state = Record().ToOciState(Status.Stopped);
        Assert.Equal(0, state.Pid);
        Assert.Equal("stopped", state.Status);
        Assert.Equal(100, Record().ToOciState(Status.Running).Pid);
    }
}

public class ProcessStatTests
{
    [Fact]
    public void ParsesACommandNameWithSpacesAndParentheses()
    {
        var line = "4242 (a) b (c) R 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200";
        var stat = ProcessStat.Parse(line);
        Assert.Equal(new ProcessStat('R', 987654), stat);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("1 (x) S 1 2")]
    public void RejectsWhatIsNotAStatLine(string line)
    {
        Assert.Null(ProcessStat.Parse(line));
    }

    [Fact]
    public void ReadsThisProcessFromProc()
    {
        var probe = new SystemStatusProbe(new CgroupFreezerQuery());
        var stat = probe.Stat(Environment.ProcessId);
        Assert.NotNull(stat);
        Assert.False(stat.Value.HasExited);
        Assert.True(stat.Value.StartTime > 0);
        Assert.Equal(stat, probe.Stat(Environment.ProcessId));
        Assert.Null(probe.Stat(int.MaxValue));
    }
}

public sealed class CgroupFreezerQueryTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("hull-freezer-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static ContainerRecord With(IReadOnlyDictionary<string, string> paths) =>
        new() { Id = "c1", Bundle = "/b", Rootfs = "/b/rootfs", CgroupPaths = paths };

    [Theory]
    [InlineData("FROZEN\n", true)]
    [InlineData("THAWED\n", false)]
    public void ReadsTheV1FreezerOfTheRecordedCgroup(string content, bool frozen)
    {
        var expected = frozen ? FreezerState.Frozen : FreezerState.Thawed;
        File.WriteAllText(Path.Combine(dir, "freezer.state"), content);
        var probe = new SystemStatusProbe(new CgroupFreezerQuery());
        Assert.Equal(expected, probe.Freezer(With(new Dictionary<string, string> { ["freezer"] = dir, ["memory"] = dir })));
    }

    [Fact]
    public void NoCgroupIsNeverPaused()
    {
        Assert.Equal(FreezerState.Thawed, new SystemStatusProbe(new CgroupFreezerQuery()).Freezer(With(new Dictionary<string, string>())));
    }
}
