using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>The init's last step: become the container's process.</summary>
internal static unsafe class Exec
{
    /// <summary>
    /// execve with a clean slate: only fds below <paramref name="keepFds"/> survive, no signal stays
    /// ignored (.NET ignores SIGPIPE; exec keeps SIG_IGN) and none stays blocked. Returns only by throwing.
    /// </summary>
    public static void Replace(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, int keepFds)
    {
        using var file = new NativeStrings([path]);
        using var argv = new NativeStrings(args);
        using var envp = new NativeStrings(env);
        // Close-on-exec rather than close: the .NET runtime may still use its own fds until execve.
        Libc.Check(Libc.close_range((uint)keepFds, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC), "close_range");
        ResetSignals();
        Libc.execve(file[0], argv.Pointers, envp.Pointers);
        throw new HullException($"exec {path}: {Libc.Describe(Libc.LastErrno)}");
    }

    /// <summary>
    /// Every signal ignored in the init (SIGPIPE by .NET, 32 by the runtime's libc) back to its
    /// default; through the raw syscall because glibc's sigaction refuses its reserved signals.
    /// </summary>
    static void ResetSignals()
    {
        Libc.KernelSigAction old, dfl = default;
        for (var sig = 1; sig <= Libc.MaxSignal; sig++)
        {
            if (sig is Libc.SIGKILL or Libc.SIGSTOP) continue;
            if (Libc.RawSyscall4(Libc.SYS_rt_sigaction, sig, 0, (long)&old, sizeof(ulong)) == 0 && old.Handler == Libc.SIG_IGN)
                Libc.RawSyscall4(Libc.SYS_rt_sigaction, sig, (long)&dfl, 0, sizeof(ulong));
        }
        Libc.SigSet none;
        Libc.sigemptyset(&none);
        Libc.pthread_sigmask(Libc.SIG_SETMASK, &none, null);
    }
}
