using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class SpawnedInitTests
{
    [Fact]
    public void ASpawnInTheBackgroundIsWaitedForAtItsFirstUse()
    {
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var channel = new SyncChannel(-1);
        var spawnedOn = 0;
        var spawned = SpawnedInit.InBackground(() =>
        {
            spawnedOn = Environment.CurrentManagedThreadId;
            started.Set();
            release.Wait(TimeSpan.FromSeconds(10));
            return new SpawnedInit(4242, channel);
        });
        // The caller goes on while the spawn waits, on another thread.
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        Assert.False(release.IsSet);
        release.Set();
        Assert.Equal(4242, spawned.Pid);
        Assert.Same(channel, spawned.Channel);
        Assert.NotEqual(Environment.CurrentManagedThreadId, spawnedOn);
    }

    [Fact]
    public void AFailedSpawnIsReportedAtFirstUseAndLeavesNothingToAbort()
    {
        var spawned = SpawnedInit.InBackground(() => throw new HullException("cannot find hull-init next to hull"));
        var e = Assert.Throws<HullException>(() => spawned.Pid);
        Assert.Equal("cannot find hull-init next to hull", e.Message);
        Assert.Throws<HullException>(() => spawned.Channel);
        // Nothing was started: Abort has no process to kill and no channel to close.
        spawned.Abort();
    }
}
