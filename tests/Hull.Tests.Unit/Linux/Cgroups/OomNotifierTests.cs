using Hull.Plugins.Linux.Cgroups;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

/// <summary>The v2 notifier uses inotify, which works on the fake's plain files too.</summary>
public sealed class OomNotifierTests : IDisposable
{
    readonly FakeCgroupFs fs;

    public OomNotifierTests() => fs = FakeHosts.V2().Fs;

    public void Dispose() => fs.Dispose();

    [Fact]
    public void ARiseOfOomKillIsAnOomAndAnEmptyCgroupClosesTheStream()
    {
        using var n = new V2OomNotifier(fs, fs.Abs("cg2"));
        Assert.Equal(OomWait.Timeout, n.Wait(TimeSpan.FromMilliseconds(50)));

        // Other memory events are not OOMs.
        fs.Put("cg2/memory.events", "low 0\nhigh 5\nmax 2\noom 0\noom_kill 0\n");
        Assert.Equal(OomWait.Timeout, n.Wait(TimeSpan.FromMilliseconds(200)));

        fs.Put("cg2/memory.events", "low 0\nhigh 5\nmax 3\noom 1\noom_kill 1\n");
        Assert.Equal(OomWait.Oom, n.Wait(TimeSpan.FromSeconds(5)));

        fs.Put("cg2/cgroup.events", "populated 0\nfrozen 0\n");
        Assert.Equal(OomWait.Closed, n.Wait(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void KillsBeforeListeningAreNotReported()
    {
        fs.Put("cg2/memory.events", "oom 4\noom_kill 4\n");
        using var n = new V2OomNotifier(fs, fs.Abs("cg2"));
        fs.Put("cg2/memory.events", "oom 4\noom_kill 4\n");
        Assert.Equal(OomWait.Timeout, n.Wait(TimeSpan.FromMilliseconds(200)));
    }
}
