using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Seccomp;

// seccomp-probe <seccomp.json> [--no-new-privs] [--hand-over] -- <path> [args...]
//
// Does what hull's init does with linux.seccomp, in the order it must: compile early, prepare
// everything execve needs, then install the filter on the main thread and execve at once. With
// --hand-over and a notify listener it also plays the init's side of the fd hand-over: it writes
// the fd number to stdout, waits for one byte on stdin, closes the fd (write, read, close: the only
// syscalls between the filter and execve).
return Probe.Run(args);

static unsafe partial class Probe
{
    const int PR_SET_NO_NEW_PRIVS = 38;

    public static int Run(string[] args)
    {
        var split = Array.IndexOf(args, "--");
        if (args.Length < 3 || split < 1 || split == args.Length - 1)
        {
            Console.Error.WriteLine("usage: seccomp-probe <seccomp.json> [--no-new-privs] [--hand-over] -- <path> [args...]");
            return 2;
        }
        var options = args[1..split];
        var command = args[(split + 1)..];
        try
        {
            var config = JsonSerializer.Deserialize(File.ReadAllText(args[0]), ProbeJson.Default.LinuxSeccomp)!;
            var filter = SeccompCompiler.Compile(config, new StderrLog());
            if (options.Contains("--no-new-privs") && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
                throw new HullException("prctl(PR_SET_NO_NEW_PRIVS) failed");
            return Exec(filter, command, options.Contains("--hand-over"));
        }
        catch (HullException e)
        {
            Console.Error.WriteLine($"probe: {e.Message}");
            return 1;
        }
    }

    static int Exec(SeccompFilter? filter, string[] command, bool handOver)
    {
        var path = (byte*)Marshal.StringToCoTaskMemUTF8(command[0]);
        var argv = (byte**)NativeMemory.AllocZeroed((nuint)(command.Length + 1), (nuint)sizeof(nint));
        for (var i = 0; i < command.Length; i++) argv[i] = (byte*)Marshal.StringToCoTaskMemUTF8(command[i]);
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}").ToArray();
        var envp = (byte**)NativeMemory.AllocZeroed((nuint)(env.Length + 1), (nuint)sizeof(nint));
        for (var i = 0; i < env.Length; i++) envp[i] = (byte*)Marshal.StringToCoTaskMemUTF8(env[i]);

        // Bind every call made after the filter now (P/Invoke and JIT are lazy), and hold the GC off,
        // so that nothing but the calls below reaches the kernel from this thread once it is filtered.
        var line = stackalloc byte[16];
        var written = HandOverLine(line, 0);
        write(-1, line, written);
        read(-1, line, 0);
        close(-1);
        execve(null, null, null);
        GC.TryStartNoGCRegion(1 << 20);

        var fd = filter?.Install() ?? -1;
        if (handOver && fd >= 0)
        {
            write(1, line, HandOverLine(line, fd));
            read(0, line, 1);
            close(fd);
        }
        execve(path, argv, envp);
        return 127;
    }

    static int HandOverLine(byte* buffer, int fd)
    {
        var span = new Span<byte>(buffer, 16);
        fd.TryFormat(span, out var n);
        span[n] = (byte)'\n';
        return n + 1;
    }

    [LibraryImport("libc", SetLastError = true)] private static partial int prctl(int option, nuint a2, nuint a3, nuint a4, nuint a5);
    [LibraryImport("libc", SetLastError = true)] private static partial nint write(int fd, byte* buf, nint count);
    [LibraryImport("libc", SetLastError = true)] private static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int execve(byte* path, byte** argv, byte** envp);
}

sealed class StderrLog : IHullLog
{
    public bool IsDebugEnabled => true;
    public void Debug(string message) => Console.Error.WriteLine($"debug: {message}");
    public void Info(string message) => Console.Error.WriteLine($"info: {message}");
    public void Warn(string message) => Console.Error.WriteLine($"warn: {message}");
    public void Error(string message) => Console.Error.WriteLine($"error: {message}");
}

[JsonSerializable(typeof(LinuxSeccomp))]
partial class ProbeJson : JsonSerializerContext;
