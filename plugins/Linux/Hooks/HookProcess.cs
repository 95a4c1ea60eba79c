using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using static Hull.Plugins.Linux.Interop.Libc.Spawn;

namespace Hull.Plugins.Linux.Hooks;

/// <summary>How one hook process ended, and what it wrote.</summary>
internal sealed record HookOutcome(int? ExitCode, int? Signal, bool TimedOut, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs one program the way a hook must run: its own argv (argv[0] included), exactly its env,
/// stdin fed from memory, stdout and stderr collected, killed with SIGKILL past its timeout.
/// posix_spawn runs no managed code in the child; one poll loop feeds stdin, drains both outputs
/// and watches a pidfd, so a hook that never reads stdin or leaves a grandchild holding its
/// output open cannot hang the runtime.
/// </summary>
internal static unsafe class HookProcess
{
    /// <summary>Keep at most this much of each output for the error message.</summary>
    const int MaxOutput = 64 * 1024;

    internal static HookOutcome Run(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, byte[] stdin, TimeSpan? timeout, string? workingDirectory)
    {
        var input = stackalloc int[2];
        var output = stackalloc int[2];
        var error = stackalloc int[2];
        input[0] = input[1] = output[0] = output[1] = error[0] = error[1] = -1;
        var pid = 0;
        try
        {
            Pipe(input);
            Pipe(output);
            Pipe(error);
            pid = Spawn(path, argv, env, input[0], output[1], error[1], workingDirectory);
        }
        finally
        {
            // The child's ends belong to the child now (or to nobody, if the spawn failed).
            Close(ref input[0]);
            Close(ref output[1]);
            Close(ref error[1]);
            if (pid == 0)
            {
                Close(ref input[1]);
                Close(ref output[0]);
                Close(ref error[0]);
            }
        }
        return Supervise(pid, ref input[1], ref output[0], ref error[0], stdin, timeout);
    }

    static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, int stdinFd, int stdoutFd, int stderrFd, string? workingDirectory)
    {
        var actions = stackalloc byte[FileActionsSize];
        var attr = stackalloc byte[AttrSize];
        var mask = stackalloc byte[SigSetSize];
        var defaults = stackalloc byte[SigSetSize];
        posix_spawn_file_actions_init(actions);
        posix_spawnattr_init(attr);
        try
        {
            posix_spawn_file_actions_adddup2(actions, stdinFd, 0);
            posix_spawn_file_actions_adddup2(actions, stdoutFd, 1);
            posix_spawn_file_actions_adddup2(actions, stderrFd, 2);
            if (workingDirectory is not null) posix_spawn_file_actions_addchdir_np(actions, workingDirectory);
            // The runtime ignores SIGPIPE and may block signals: the hook starts with defaults.
            sigemptyset(mask);
            sigfillset(defaults);
            posix_spawnattr_setsigmask(attr, mask);
            posix_spawnattr_setsigdefault(attr, defaults);
            posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
            using var argvBlock = new CStrings(argv.Count > 0 ? argv : [path]);
            using var envBlock = new CStrings(env);
            using var pathBlock = new CStrings([path]);
            int pid;
            var rc = posix_spawn(&pid, pathBlock.Pointers[0], actions, attr, argvBlock.Pointers, envBlock.Pointers);
            if (rc != 0) throw new HullException($"fork/exec {path}: {SyscallException.Describe(rc)}");
            return pid;
        }
        finally
        {
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attr);
        }
    }

    /// <summary>Feeds, drains and waits for the hook; closes the three fds whatever happens.</summary>
    static HookOutcome Supervise(int pid, ref int stdinFd, ref int stdoutFd, ref int stderrFd, byte[] stdin, TimeSpan? timeout)
    {
        var pidfd = pidfd_open(pid);
        try
        {
            if (pidfd < 0)
            {
                var e = SyscallException.FromLastError("pidfd_open");
                kill(pid, SIGKILL);
                Reap(pid);
                throw e;
            }
            NonBlocking(stdinFd);
            NonBlocking(stdoutFd);
            NonBlocking(stderrFd);
            var outText = new Collector();
            var errText = new Collector();
            var written = 0;
            var writing = stdin.Length > 0;
            if (!writing) Close(ref stdinFd);
            bool outOpen = true, errOpen = true;
            var clock = Stopwatch.StartNew();
            var fds = stackalloc PollFd[4];
            var buffer = stackalloc byte[16384];
            while (true)
            {
                var n = 0;
                fds[n++] = new PollFd { Fd = pidfd, Events = POLLIN };
                if (writing) fds[n++] = new PollFd { Fd = stdinFd, Events = POLLOUT };
                if (outOpen) fds[n++] = new PollFd { Fd = stdoutFd, Events = POLLIN };
                if (errOpen) fds[n++] = new PollFd { Fd = stderrFd, Events = POLLIN };
                var wait = -1;
                if (timeout is { } t)
                {
                    var left = t - clock.Elapsed;
                    if (left <= TimeSpan.Zero)
                    {
                        kill(pid, SIGKILL);
                        Reap(pid);
                        return new HookOutcome(null, SIGKILL, true, outText.Text, errText.Text);
                    }
                    wait = (int)Math.Ceiling(left.TotalMilliseconds);
                }
                if (poll(fds, (nuint)n, wait) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == SyscallException.EINTR) continue;
                    throw SyscallException.FromLastError("poll");
                }
                for (var i = 0; i < n; i++)
                {
                    if (fds[i].Revents == 0) continue;
                    if (fds[i].Fd == stdinFd && writing)
                    {
                        fixed (byte* p = stdin)
                        {
                            var w = write(stdinFd, p + written, stdin.Length - written);
                            // EPIPE: the hook closed its stdin without reading it all, which is its right.
                            if (w > 0) written += (int)w;
                            else if (Marshal.GetLastPInvokeError() != SyscallException.EAGAIN) written = stdin.Length;
                        }
                        if (written == stdin.Length)
                        {
                            writing = false;
                            Close(ref stdinFd);
                        }
                    }
                    else if (fds[i].Fd == stdoutFd) outOpen = Drain(stdoutFd, outText, buffer);
                    else if (fds[i].Fd == stderrFd) errOpen = Drain(stderrFd, errText, buffer);
                }
                if (fds[0].Revents != 0)
                {
                    var status = Reap(pid);
                    // Whatever the hook wrote before exiting is in the pipes; anything a leftover
                    // grandchild writes later is not waited for.
                    if (outOpen) Drain(stdoutFd, outText, buffer);
                    if (errOpen) Drain(stderrFd, errText, buffer);
                    return WIfExited(status)
                        ? new HookOutcome(WExitStatus(status), null, false, outText.Text, errText.Text)
                        : new HookOutcome(null, WTermSig(status), false, outText.Text, errText.Text);
                }
            }
        }
        finally
        {
            Close(ref stdinFd);
            Close(ref stdoutFd);
            Close(ref stderrFd);
            Close(ref pidfd);
        }
    }

    /// <summary>Reads what is there; false at end of stream.</summary>
    static bool Drain(int fd, Collector into, byte* buffer)
    {
        while (true)
        {
            var r = read(fd, buffer, 16384);
            if (r > 0)
            {
                into.Add(new ReadOnlySpan<byte>(buffer, (int)r));
                continue;
            }
            if (r == 0) return false;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == SyscallException.EINTR) continue;
            return errno == SyscallException.EAGAIN;
        }
    }

    static int Reap(int pid)
    {
        int status;
        while (waitpid(pid, &status, 0) < 0)
            if (Marshal.GetLastPInvokeError() != SyscallException.EINTR) throw SyscallException.FromLastError($"waiting for hook process {pid}");
        return status;
    }

    static void Pipe(int* fds)
    {
        if (pipe2(fds, O_CLOEXEC) != 0) throw SyscallException.FromLastError("pipe2");
    }

    static void NonBlocking(int fd)
    {
        if (fd < 0) return;
        var flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw SyscallException.FromLastError("fcntl O_NONBLOCK");
    }

    static void Close(ref int fd)
    {
        if (fd >= 0) close(fd);
        fd = -1;
    }

    sealed class Collector
    {
        readonly MemoryStream bytes = new();

        public void Add(ReadOnlySpan<byte> data)
        {
            var room = MaxOutput - (int)bytes.Length;
            if (room > 0) bytes.Write(data[..Math.Min(room, data.Length)]);
        }

        public string Text => Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    /// <summary>A NULL-terminated char* array in one native block.</summary>
    sealed class CStrings : IDisposable
    {
        readonly byte* block;

        public CStrings(IReadOnlyList<string> strings)
        {
            var table = (nuint)((strings.Count + 1) * sizeof(byte*));
            var size = table;
            foreach (var s in strings) size += (nuint)Encoding.UTF8.GetByteCount(s) + 1;
            block = (byte*)NativeMemory.AllocZeroed(size);
            var text = block + table;
            for (var i = 0; i < strings.Count; i++)
            {
                Pointers[i] = text;
                text += Encoding.UTF8.GetBytes(strings[i], new Span<byte>(text, (int)(block + size - text))) + 1;
            }
        }

        public byte** Pointers => (byte**)block;

        public void Dispose() => NativeMemory.Free(block);
    }
}
