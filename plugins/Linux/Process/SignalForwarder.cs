using System.Runtime.InteropServices;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// `run` and `exec` in the foreground: the signals hull gets go to the container's process instead
/// (as runc), so Ctrl-C or a `kill` of hull reaches the container. Signals that arrive before the
/// process exists are held and delivered once it does. With a terminal relayed, SIGWINCH resizes
/// the pty instead (the kernel then signals the container's foreground process group).
/// </summary>
internal sealed class SignalForwarder : IDisposable
{
    // SIGHUP SIGINT SIGQUIT SIGUSR1 SIGUSR2 SIGALRM SIGTERM SIGCONT SIGTSTP SIGTTIN SIGTTOU SIGWINCH.
    // Not SIGCHLD (hull's own children) and not SIGPIPE (hull's own writes).
    static readonly int[] Forwarded = [1, 2, 3, 10, 12, 14, 15, 18, 20, 21, 22, 28];

    readonly List<PosixSignalRegistration> registrations = [];
    readonly List<int> pending = [];
    int pid;
    Action? onWindowChange;

    public SignalForwarder()
    {
        foreach (var sig in Forwarded)
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)sig, OnSignal));
    }

    /// <summary>From now on SIGWINCH calls <paramref name="resize"/> instead of being forwarded.</summary>
    public void OnWindowChange(Action resize) => Volatile.Write(ref onWindowChange, resize);

    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        var sig = RawNumber(context.Signal);
        if (sig == Libc.SIGWINCH && Volatile.Read(ref onWindowChange) is { } resize)
        {
            resize();
            return;
        }
        lock (pending)
        {
            if (pid > 0) Libc.kill(pid, sig);
            else pending.Add(sig);
        }
    }

    /// <summary>From now on signals go to <paramref name="processPid"/>.</summary>
    public void Forward(int processPid)
    {
        lock (pending)
        {
            pid = processPid;
            foreach (var sig in pending) Libc.kill(pid, sig);
            pending.Clear();
        }
    }

    /// <summary>.NET reports the common signals as negative PosixSignal values (-1 SIGHUP .. -10 SIGTSTP); the rest arrive raw.</summary>
    static int RawNumber(PosixSignal signal)
    {
        ReadOnlySpan<int> named = [0, 1, 2, 3, 15, 17, 18, 28, 21, 22, 20];
        var n = (int)signal;
        return n < 0 && -n < named.Length ? named[-n] : n;
    }

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
    }
}
