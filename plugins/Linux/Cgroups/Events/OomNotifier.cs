using System.Runtime.InteropServices;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>What waiting for an OOM notification ended with.</summary>
internal enum OomWait
{
    /// <summary>The timeout passed without an OOM.</summary>
    Timeout,
    /// <summary>The kernel killed (v2) or stopped (v1) a process for lack of memory.</summary>
    Oom,
    /// <summary>The cgroup is gone or empty: no more notifications will come.</summary>
    Closed,
}

/// <summary>
/// OOM notifications of one container, for `events`: call <see cref="Wait"/> in a loop with the time left
/// until the next stats tick. Single-threaded by design: no background thread, just poll(2).
/// </summary>
internal interface IOomNotifier : IDisposable
{
    OomWait Wait(TimeSpan timeout);

    /// <summary>The fd that polls readable when there may be news: poll it along with other fds, then ask
    /// <see cref="Wait"/> with a zero timeout what it was.</summary>
    int Fd { get; }
}

/// <summary>Waits on one fd with poll(2), retrying EINTR with the time that is left.</summary>
internal static class FdWait
{
    public static unsafe bool Readable(int fd, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var pfd = new CgroupNative.PollFd { Fd = fd, Events = CgroupNative.POLLIN };
            var left = (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);
            var n = CgroupNative.Poll(&pfd, 1, left);
            if (n > 0) return true;
            if (n == 0) return false;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != CgroupNative.EINTR) throw new CgroupException($"cannot wait for OOM notifications: {CgroupNative.ErrorText(errno)}");
        }
    }

    public static unsafe void Drain(int fd, int size)
    {
        var buffer = stackalloc byte[size];
        CgroupNative.Read(fd, buffer, size);
    }
}

/// <summary>
/// v1: an eventfd registered for memory.oom_control through cgroup.event_control. The kernel also signals
/// it when the cgroup is removed, which is told apart by cgroup.event_control having gone (runc's check).
/// </summary>
internal sealed class V1OomNotifier : IOomNotifier
{
    readonly ICgroupFs fs;
    readonly string dir;
    readonly int eventFd;
    readonly int controlFd;

    public V1OomNotifier(ICgroupFs fs, string memoryDir)
    {
        this.fs = fs;
        dir = memoryDir;
        eventFd = CgroupNative.EventFd(0, CgroupNative.EFD_CLOEXEC);
        if (eventFd < 0) throw new CgroupException($"cannot create an eventfd for OOM notifications: {CgroupNative.ErrorText(Marshal.GetLastPInvokeError())}");
        controlFd = CgroupNative.Open(Path.Combine(dir, "memory.oom_control"), CgroupNative.O_RDONLY | CgroupNative.O_CLOEXEC, 0);
        if (controlFd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            CgroupNative.Close(eventFd);
            throw new CgroupException($"cannot open {Path.Combine(dir, "memory.oom_control")} for OOM notifications: {CgroupNative.ErrorText(errno)}");
        }
        try { fs.WriteFile(Path.Combine(dir, "cgroup.event_control"), $"{eventFd} {controlFd}"); }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Fd => eventFd;

    public OomWait Wait(TimeSpan timeout)
    {
        if (!FdWait.Readable(eventFd, timeout)) return OomWait.Timeout;
        FdWait.Drain(eventFd, 8);
        return fs.FileExists(Path.Combine(dir, "cgroup.event_control")) ? OomWait.Oom : OomWait.Closed;
    }

    public void Dispose()
    {
        CgroupNative.Close(controlFd);
        CgroupNative.Close(eventFd);
    }
}

/// <summary>
/// v2: inotify on memory.events (when the memory controller is enabled) and cgroup.events. An OOM is a rise of memory.events' oom_kill counter;
/// "populated 0" in cgroup.events (or the cgroup gone) closes the stream.
/// </summary>
internal sealed class V2OomNotifier : IOomNotifier
{
    readonly ICgroupFs fs;
    readonly string dir;
    readonly int inotify;
    ulong kills;

    public V2OomNotifier(ICgroupFs fs, string cgroupDir)
    {
        this.fs = fs;
        dir = cgroupDir;
        inotify = CgroupNative.InotifyInit1(CgroupNative.IN_CLOEXEC);
        if (inotify < 0) throw new CgroupException($"cannot create an inotify instance for OOM notifications: {CgroupNative.ErrorText(Marshal.GetLastPInvokeError())}");
        foreach (var file in new[] { "memory.events", "cgroup.events" })
        {
            // Without the memory controller there is no memory.events and no OOM kill to report, but the
            // stream must still end when the cgroup empties.
            if (file == "memory.events" && !fs.FileExists(Path.Combine(dir, file))) continue;
            if (CgroupNative.InotifyAddWatch(inotify, Path.Combine(dir, file), CgroupNative.IN_MODIFY) >= 0) continue;
            var errno = Marshal.GetLastPInvokeError();
            CgroupNative.Close(inotify);
            throw new CgroupException($"cannot watch {Path.Combine(dir, file)} for OOM notifications: {CgroupNative.ErrorText(errno)}");
        }
        kills = OomKills() ?? 0;
    }

    ulong? OomKills() => Value("memory.events", "oom_kill");

    ulong? Value(string file, string key)
    {
        foreach (var (k, v) in fs.ReadKeyValues(Path.Combine(dir, file)))
            if (k == key) return v;
        return null;
    }

    public int Fd => inotify;

    public OomWait Wait(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // Poll even when no time is left, so a zero timeout still reads what is already pending.
            var left = deadline - DateTime.UtcNow;
            if (!FdWait.Readable(inotify, left < TimeSpan.Zero ? TimeSpan.Zero : left)) return OomWait.Timeout;
            FdWait.Drain(inotify, 4096);
            if (OomKills() is { } now && now > kills)
            {
                kills = now;
                return OomWait.Oom;
            }
            if (Value("cgroup.events", "populated") is null or 0) return OomWait.Closed;
        }
    }

    public void Dispose() => CgroupNative.Close(inotify);
}
