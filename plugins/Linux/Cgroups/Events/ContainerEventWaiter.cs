using System.Runtime.InteropServices;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>
/// The real <see cref="IEventWaiter"/>: one poll(2) over the OOM notifier's fd, a pidfd of the container's
/// init (readable once it exits, so the stream ends at once rather than at the next tick) and an eventfd
/// that the cancellation token (Ctrl-C) signals. It owns the notifier.
/// </summary>
internal sealed unsafe class ContainerEventWaiter : IEventWaiter
{
    readonly IOomNotifier oom;
    readonly int pidFd;
    readonly int cancelFd;
    readonly CancellationTokenRegistration registration;

    /// <summary>
    /// Takes ownership of <paramref name="oom"/> (disposed here even if this throws). The caller checks that
    /// <paramref name="initPid"/> is still its container's init after this returns (start time): the pidfd
    /// then refers to that very process, whatever happens to the pid later.
    /// </summary>
    public ContainerEventWaiter(IOomNotifier oom, int initPid, CancellationToken cancellation)
    {
        this.oom = oom;
        pidFd = -1;
        cancelFd = -1;
        try
        {
            pidFd = CgroupNative.PidfdOpen(initPid, 0);
            if (pidFd < 0 && Marshal.GetLastPInvokeError() is var errno && errno != CgroupNative.ESRCH)
                throw new CgroupException($"cannot watch the container's init (pid {initPid}): {CgroupNative.ErrorText(errno)}");
            cancelFd = CgroupNative.EventFd(0, CgroupNative.EFD_CLOEXEC);
            if (cancelFd < 0)
                throw new CgroupException($"cannot create an eventfd for the events stream: {CgroupNative.ErrorText(Marshal.GetLastPInvokeError())}");
            // The callback runs on whichever thread cancels (the host's signal handler); an eventfd write is all it does.
            registration = cancellation.Register(static fd => Signal((int)fd!), cancelFd);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    static void Signal(int fd)
    {
        ulong one = 1;
        CgroupNative.Write(fd, (byte*)&one, sizeof(ulong));
    }

    public EventWake Wait(TimeSpan timeout)
    {
        // No pidfd: the init was gone before we started watching.
        if (pidFd < 0) return EventWake.Ended;
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var fds = stackalloc CgroupNative.PollFd[3];
        while (true)
        {
            fds[0] = new CgroupNative.PollFd { Fd = cancelFd, Events = CgroupNative.POLLIN };
            fds[1] = new CgroupNative.PollFd { Fd = oom.Fd, Events = CgroupNative.POLLIN };
            fds[2] = new CgroupNative.PollFd { Fd = pidFd, Events = CgroupNative.POLLIN };
            var left = (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);
            var n = CgroupNative.Poll(fds, 3, left);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == CgroupNative.EINTR) continue;
                throw new CgroupException($"cannot wait for the container's events: {CgroupNative.ErrorText(errno)}");
            }
            if (n == 0) return EventWake.Tick;
            if (fds[0].Revents != 0) return EventWake.Ended;
            // The OOM is looked at before the exit: an OOM-killed init makes both readable, and its OOM is news.
            if (fds[1].Revents != 0 || fds[2].Revents != 0)
            {
                switch (oom.Wait(TimeSpan.Zero))
                {
                    case OomWait.Oom: return EventWake.Oom;
                    case OomWait.Closed: return EventWake.Ended;
                }
            }
            if (fds[2].Revents != 0) return EventWake.Ended;
            // A notifier wake-up that was no OOM (another memory event): keep waiting out the time left.
        }
    }

    public void Dispose()
    {
        // Unregistering waits for a running callback, so the eventfd is closed only after its last write.
        registration.Dispose();
        if (cancelFd >= 0) CgroupNative.Close(cancelFd);
        if (pidFd >= 0) CgroupNative.Close(pidFd);
        oom.Dispose();
    }
}
