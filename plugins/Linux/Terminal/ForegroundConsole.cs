using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Terminal;

/// <summary>
/// run -t / exec -t without a console socket: hull keeps the pty master and relays it to its own
/// stdio while the process runs, as runc does — the caller's terminal in raw mode (so keys such as
/// Ctrl-C reach the container's line discipline, not hull), the pty sized like it and resized on
/// SIGWINCH, and once the process has exited, the rest of its output before the terminal is
/// restored.
/// </summary>
internal sealed unsafe class ForegroundConsole : IConsoleReceiver, IDisposable
{
    int master = -1;
    int host = -1;
    bool ownsHost;
    Libc.Termios saved;
    bool restore;
    Thread? pump;
    /// <summary>Set once the process has exited: from then on only what is already there is relayed,
    /// for at most <see cref="DrainLimitMs"/> (a process left behind by exec may keep writing).</summary>
    volatile bool draining;
    long drainDeadline;
    const int DrainLimitMs = 2000;

    /// <summary>The process sent its pty master (process.terminal was true).</summary>
    public bool HasMaster => master >= 0;

    public void Accept(int fd, string name = ContainerPty.MasterName)
    {
        if (master >= 0) Libc.close(master);
        master = fd;
    }

    /// <summary>Starts relaying; the master must have arrived (<see cref="Accept"/>).</summary>
    public void Attach()
    {
        if (master < 0) throw new HullException("the container's process did not send its terminal");
        host = FindHostTerminal(out ownsHost);
        fixed (Libc.Termios* original = &saved)
        {
            if (host >= 0 && Libc.tcgetattr(host, original) == 0)
            {
                var raw = saved;
                Libc.cfmakeraw(&raw);
                restore = Libc.tcsetattr(host, Libc.TCSANOW, &raw) == 0;
            }
        }
        Resize();
        pump = new Thread(Pump) { IsBackground = true, Name = "hull console" };
        pump.Start();
    }

    /// <summary>The pty takes the caller's terminal size (SIGWINCH; the kernel then signals the
    /// container's foreground process group).</summary>
    public void Resize()
    {
        if (host < 0 || master < 0) return;
        Libc.WinSize size;
        if (Libc.ioctl(host, Libc.TIOCGWINSZ, &size) == 0 && size.Rows > 0 && size.Cols > 0)
            Libc.ioctl(master, Libc.TIOCSWINSZ, &size);
    }

    /// <summary>Like runc: the first of stderr, stdout, stdin that is a terminal, else the
    /// controlling terminal; none at all is fine (output is still relayed, nothing resized).</summary>
    static int FindHostTerminal(out bool owned)
    {
        owned = false;
        foreach (var fd in new[] { Libc.STDERR, Libc.STDOUT, Libc.STDIN })
            if (Libc.isatty(fd) == 1) return fd;
        var tty = Libc.open("/dev/tty", Libc.O_RDWR | Libc.O_CLOEXEC | Libc.Fs.O_NOCTTY, 0);
        owned = tty >= 0;
        return tty;
    }

    void Pump()
    {
        var buffer = new byte[32 * 1024];
        var fds = stackalloc Libc.PollFd[2];
        fds[0] = new Libc.PollFd { Fd = master, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = Libc.STDIN, Events = Libc.POLLIN };
        var watched = 2;
        fixed (byte* buf = buffer)
        {
            while (true)
            {
                var ready = Libc.poll(fds, (nuint)watched, draining ? 0 : 100);
                if (ready < 0)
                {
                    if (Libc.LastErrno == Errno.EINTR) continue;
                    return;
                }
                if (fds[0].Revents != 0)
                {
                    // EIO once no one holds the slave any more: the container's side is gone.
                    var n = Libc.read(master, buf, buffer.Length);
                    if (n <= 0 || !WriteAll(Libc.STDOUT, buf, n)) return;
                    if (!draining || Environment.TickCount64 <= Volatile.Read(ref drainDeadline)) continue;
                    return;
                }
                if (draining && (ready == 0 || Environment.TickCount64 > Volatile.Read(ref drainDeadline))) return;
                if (watched == 2 && fds[1].Revents != 0)
                {
                    var n = Libc.read(Libc.STDIN, buf, buffer.Length);
                    if (n <= 0) watched = 1;
                    else if (!WriteAll(master, buf, n)) return;
                }
            }
        }
    }

    static bool WriteAll(int fd, byte* data, nint length)
    {
        while (length > 0)
        {
            var n = Libc.write(fd, data, length);
            if (n < 0 && Libc.LastErrno == Errno.EINTR) continue;
            if (n <= 0) return false;
            data += n;
            length -= n;
        }
        return true;
    }

    /// <summary>Call once the process has exited: relays what is left of its output, then puts the
    /// caller's terminal back as it was.</summary>
    public void Dispose()
    {
        Volatile.Write(ref drainDeadline, Environment.TickCount64 + DrainLimitMs);
        draining = true;
        pump?.Join();
        if (restore)
            fixed (Libc.Termios* t = &saved)
                Libc.tcsetattr(host, Libc.TCSANOW, t);
        if (ownsHost) Libc.close(host);
        if (master >= 0) Libc.close(master);
        master = host = -1;
    }
}
