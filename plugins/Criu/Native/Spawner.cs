using System.Collections;
using System.Runtime.InteropServices;
using System.Text;

namespace Hull.Plugins.Criu.Native;

/// <summary>How a child ended, decoded from waitpid's status.</summary>
internal readonly record struct ExitStatus(int Code, int Signal)
{
    public bool Success => Code == 0 && Signal == 0;

    public static ExitStatus FromWaitStatus(int status) =>
        (status & 0x7f) == 0 ? new((status >> 8) & 0xff, 0) : new(-1, status & 0x7f);

    public override string ToString() => Signal != 0 ? $"killed by signal {Signal}" : $"exit status {Code}";
}

/// <summary>
/// Starts a program with posix_spawn, so no managed code runs between fork and exec, and hands it
/// chosen fds as 3, 4, ...: the only fds it gets besides stdio, because everything this process
/// opens is O_CLOEXEC. Signal dispositions and the mask are reset, since .NET ignores SIGPIPE and
/// blocks signals on its threads, and a child must not inherit that.
/// </summary>
internal static unsafe class Spawner
{
    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128:
    // over-allocate so the layout of one libc version never matters.
    const int OpaqueSize = 1024;

    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<int> passFds)
    {
        // Copies above the target range first: dup2(src, 3+i) must never clobber a later source.
        var sources = new int[passFds.Count];
        for (var i = 0; i < sources.Length; i++) sources[i] = -1;
        var fileActions = NativeMemory.AllocZeroed(OpaqueSize);
        var attr = NativeMemory.AllocZeroed(OpaqueSize);
        var sigset = NativeMemory.AllocZeroed(OpaqueSize);
        var strings = new List<nint>();
        try
        {
            for (var i = 0; i < sources.Length; i++)
            {
                sources[i] = Libc.fcntl(passFds[i], Libc.F_DUPFD_CLOEXEC, 3 + passFds.Count);
                if (sources[i] < 0) throw Error($"cannot pass fd {passFds[i]} to {path}", Libc.LastErrno);
            }
            Check(Libc.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            for (var i = 0; i < sources.Length; i++)
                Check(Libc.posix_spawn_file_actions_adddup2(fileActions, sources[i], 3 + i), "posix_spawn_file_actions_adddup2");
            Check(Libc.posix_spawnattr_init(attr), "posix_spawnattr_init");
            Check(Libc.posix_spawnattr_setflags(attr, Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");
            Libc.sigemptyset(sigset);
            Check(Libc.posix_spawnattr_setsigmask(attr, sigset), "posix_spawnattr_setsigmask");
            Libc.sigfillset(sigset);
            Check(Libc.posix_spawnattr_setsigdefault(attr, sigset), "posix_spawnattr_setsigdefault");

            var pathZ = Utf8(path, strings);
            var argvZ = StringArray(argv, strings);
            var envZ = StringArray(Environ(), strings);
            int pid;
            var rc = Libc.posix_spawn(&pid, pathZ, fileActions, attr, argvZ, envZ);
            if (rc != 0) throw Error($"cannot start {path}", rc);
            return pid;
        }
        finally
        {
            Libc.posix_spawn_file_actions_destroy(fileActions);
            Libc.posix_spawnattr_destroy(attr);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigset);
            foreach (var s in strings) NativeMemory.Free((void*)s);
            foreach (var fd in sources) Libc.CloseQuietly(fd);
        }
    }

    /// <summary>Waits for the child to end (retrying on EINTR) and returns how it ended.</summary>
    public static ExitStatus Wait(int pid)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            var errno = Libc.LastErrno;
            if (errno != Libc.EINTR) throw Error($"waitpid({pid})", errno);
        }
        return ExitStatus.FromWaitStatus(status);
    }

    static IEnumerable<string> Environ()
    {
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            yield return $"{e.Key}={e.Value}";
    }

    static byte** StringArray(IEnumerable<string> items, List<nint> owned)
    {
        var list = items.ToList();
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(list.Count + 1), (nuint)sizeof(nint));
        owned.Add((nint)array);
        for (var i = 0; i < list.Count; i++) array[i] = Utf8(list[i], owned);
        return array;
    }

    static byte* Utf8(string s, List<nint> owned)
    {
        var count = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)count + 1);
        owned.Add((nint)p);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, count));
        p[count] = 0;
        return p;
    }

    static void Check(int rc, string call)
    {
        if (rc != 0) throw Error(call, rc);
    }

    static IOException Error(string what, int errno) => new($"{what}: {Libc.Describe(errno)}");
}
