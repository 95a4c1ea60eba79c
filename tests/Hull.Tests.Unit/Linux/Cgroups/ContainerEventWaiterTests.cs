using System.Diagnostics;
using System.IO.Pipes;
using Hull.Plugins.Linux.Cgroups;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

/// <summary>The real waiter's poll over a child process's pidfd, the cancellation eventfd and a notifier's fd.</summary>
public sealed class ContainerEventWaiterTests : IDisposable
{
    /// <summary>A notifier whose fd is a pipe the test writes to; Wait answers from a script.</summary>
    sealed class FakeNotifier : IOomNotifier
    {
        readonly AnonymousPipeServerStream writer = new(PipeDirection.Out);
        readonly AnonymousPipeClientStream reader;
        readonly Queue<OomWait> answers = new();
        bool pending;

        public FakeNotifier() => reader = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);

        public int Fd => (int)reader.SafePipeHandle.DangerousGetHandle();
        public bool Disposed { get; private set; }

        /// <summary>Makes the fd readable; the next Wait answers <paramref name="answer"/>.</summary>
        public void Signal(OomWait answer)
        {
            answers.Enqueue(answer);
            writer.WriteByte(1);
            writer.Flush();
            pending = true;
        }

        public OomWait Wait(TimeSpan timeout)
        {
            if (!pending) return OomWait.Timeout;
            reader.ReadByte();
            pending = false;
            return answers.Count > 0 ? answers.Dequeue() : OomWait.Timeout;
        }

        public void Dispose()
        {
            reader.Dispose();
            writer.Dispose();
            Disposed = true;
        }
    }

    readonly Process child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
    readonly FakeNotifier oom = new();

    public void Dispose()
    {
        if (!child.HasExited) child.Kill();
        child.WaitForExit();
        child.Dispose();
    }

    [Fact]
    public void NothingHappeningIsATick()
    {
        using var waiter = new ContainerEventWaiter(oom, child.Id, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        Assert.Equal(EventWake.Tick, waiter.Wait(TimeSpan.FromMilliseconds(100)));
        Assert.InRange(watch.ElapsedMilliseconds, 90, 5000);
    }

    [Fact]
    public void TheInitExitingEndsTheWaitAtOnce()
    {
        using var waiter = new ContainerEventWaiter(oom, child.Id, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        child.Kill();
        Assert.Equal(EventWake.Ended, waiter.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(watch.ElapsedMilliseconds < 10_000);
    }

    [Fact]
    public void CancellingEndsTheWait()
    {
        using var cancel = new CancellationTokenSource();
        using var waiter = new ContainerEventWaiter(oom, child.Id, cancel.Token);
        cancel.CancelAfter(100);
        var watch = Stopwatch.StartNew();
        Assert.Equal(EventWake.Ended, waiter.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(watch.ElapsedMilliseconds < 10_000);
    }

    [Fact]
    public void AnOomIsReportedAndOtherNotifierNewsIsWaitedOut()
    {
        using var waiter = new ContainerEventWaiter(oom, child.Id, CancellationToken.None);
        oom.Signal(OomWait.Oom);
        Assert.Equal(EventWake.Oom, waiter.Wait(TimeSpan.FromSeconds(30)));
        oom.Signal(OomWait.Timeout); // e.g. a memory.events change that is no OOM kill
        Assert.Equal(EventWake.Tick, waiter.Wait(TimeSpan.FromMilliseconds(100)));
        oom.Signal(OomWait.Closed);
        Assert.Equal(EventWake.Ended, waiter.Wait(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void AnOomThatKilledTheInitIsReportedBeforeTheEnd()
    {
        using var waiter = new ContainerEventWaiter(oom, child.Id, CancellationToken.None);
        child.Kill();
        child.WaitForExit();
        oom.Signal(OomWait.Oom);
        Assert.Equal(EventWake.Oom, waiter.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(EventWake.Ended, waiter.Wait(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void AnInitGoneBeforeWatchingEndsAtOnceAndTheNotifierIsOwned()
    {
        // Beyond any pid_max: pidfd_open says ESRCH, as for an init that has exited.
        var waiter = new ContainerEventWaiter(oom, int.MaxValue, CancellationToken.None);
        Assert.Equal(EventWake.Ended, waiter.Wait(TimeSpan.FromSeconds(30)));
        waiter.Dispose();
        Assert.True(oom.Disposed);
    }
}
