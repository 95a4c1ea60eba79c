using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The last step of the container's process (init or exec'd): execve, prepared in two halves so
/// that the seccomp filter can go in between, with nothing but execve after it.
/// </summary>
internal sealed unsafe class Exec : IDisposable
{
    readonly NativeStrings file, argv, envp;

    Exec(string path, IReadOnlyList<string> args, IReadOnlyList<string> env)
    {
        Path = path;
        file = new NativeStrings([path]);
        argv = new NativeStrings(args);
        envp = new NativeStrings(env);
    }

    public string Path { get; }

    /// <summary>
    /// Everything execve needs, done now: the strings in native memory, only fds below
    /// <paramref name="keepFds"/> left open across execve (close-on-exec rather than close: the
    /// .NET runtime may still use its own fds until then), no signal left ignored (.NET ignores
    /// SIGPIPE; exec keeps SIG_IGN) or blocked, and the execve P/Invoke bound (binding is lazy:
    /// a first call with a NULL path fails with EFAULT and binds it). The GC is held off from
    /// here, so no collection makes this thread call into the kernel behind the filter's back.
    /// </summary>
    public static Exec Prepare(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, int keepFds)
    {
        var exec = new Exec(path, args, env);
        Libc.Check(Libc.close_range((uint)keepFds, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC), "close_range");
        ResetSignals();
        Libc.execve(null, null, null);
        try
        {
            GC.TryStartNoGCRegion(1 << 20);
        }
        catch (InvalidOperationException)
        {
            // Already in one (a second Prepare after a failed execve): nothing more to hold off.
        }
        return exec;
    }

    /// <summary>execve; returns only by throwing.</summary>
    public void Run()
    {
        Libc.execve(file[0], argv.Pointers, envp.Pointers);
        throw new HullException($"exec {Path}: {Libc.Describe(Libc.LastErrno)}");
    }

    public void Dispose()
    {
        file.Dispose();
        argv.Dispose();
        envp.Dispose();
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
