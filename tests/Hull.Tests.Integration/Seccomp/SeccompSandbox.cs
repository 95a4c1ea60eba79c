using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Hull.Abstractions.Oci;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Seccomp;

/// <summary>
/// A temp directory for one seccomp test, and the programs it runs: the probe (Hull.Tests.SeccompProbe,
/// which installs a filter through the real API as hull's init does, then execs a command), busybox,
/// and syscall-probe.c compiled with gcc for the syscalls busybox cannot make.
/// </summary>
internal sealed class SeccompSandbox : IDisposable
{
    public const int SigsysExit = 128 + 31;

    public string Dir { get; } = Directory.CreateTempSubdirectory("hull-seccomp-").FullName;

    public static string Busybox => Bundle.BusyboxPath;

    private static readonly Lazy<string?> CompiledSyscallProbe = new(CompileSyscallProbe);

    public static void RequireHost()
    {
        Skip.IfNot(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the syscall numbers and ABIs used here are x86_64's");
        Skip.IfNot(NativeLibrary.TryLoad("libseccomp.so.2", out _), "libseccomp.so.2 (Debian's libseccomp2) is not installed");
        Skip.IfNot(Bundle.BusyboxAvailable, "busybox-static is not installed");
    }

    /// <summary>The compiled syscall-probe; skips the test when gcc is missing.</summary>
    public static string SyscallProbe
    {
        get
        {
            Skip.If(Tools.Which("gcc") is null, "gcc is needed to build syscall-probe.c");
            return CompiledSyscallProbe.Value ?? throw new InvalidOperationException("gcc failed to build syscall-probe.c");
        }
    }

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>Runs <paramref name="command"/> under the filter, the probe setting no_new_privs first
    /// unless told not to; <paramref name="wrapper"/> (e.g. setpriv) runs the probe.</summary>
    public CommandResult Run(LinuxSeccomp config, string[] command, bool noNewPrivs = true, string[]? wrapper = null)
    {
        var (file, args) = ProbeCommand(config, command, noNewPrivs, handOver: false, wrapper);
        return Tools.Run(file, args, env: ProbeEnvironment, timeoutMs: 30_000);
    }

    /// <summary>The probe is a .NET program that execs instead of exiting, so the runtime would never
    /// remove its diagnostics socket and debugger pipes from /tmp: it runs without them.</summary>
    static readonly Dictionary<string, string?> ProbeEnvironment = new() { ["DOTNET_EnableDiagnostics"] = "0" };

    /// <summary>Starts the probe with the notify hand-over: it prints the listener fd number on its
    /// first stdout line and waits for one byte on stdin before it execs.</summary>
    public System.Diagnostics.Process StartHandOver(LinuxSeccomp config, string[] command)
    {
        var (file, args) = ProbeCommand(config, command, noNewPrivs: true, handOver: true, wrapper: null);
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in ProbeEnvironment) psi.Environment[k] = v;
        return System.Diagnostics.Process.Start(psi)!;
    }

    private (string File, List<string> Args) ProbeCommand(LinuxSeccomp config, string[] command, bool noNewPrivs, bool handOver, string[]? wrapper)
    {
        var configPath = PathOf($"seccomp-{Guid.NewGuid():N}.json");
        File.WriteAllText(configPath, JsonSerializer.Serialize(config));
        var apphost = Path.Combine(AppContext.BaseDirectory, "Hull.Tests.SeccompProbe");
        List<string> args = File.Exists(apphost) ? [apphost] : [Tools.Which("dotnet")!, Path.ChangeExtension(apphost, ".dll")];
        args.Add(configPath);
        if (noNewPrivs) args.Add("--no-new-privs");
        if (handOver) args.Add("--hand-over");
        args.Add("--");
        args.AddRange(command);
        if (wrapper is not null) args.InsertRange(0, wrapper);
        return (args[0], args[1..]);
    }

    private static string? CompileSyscallProbe()
    {
        var source = Path.Combine(Tools.Repo, "tests", "Hull.Tests.Integration", "Seccomp", "syscall-probe.c");
        // Built next to the test assembly, so nothing is left in /tmp.
        var output = Path.Combine(AppContext.BaseDirectory, "syscall-probe");
        var r = Tools.Run("gcc", ["-O2", "-pthread", "-o", output, source]);
        return r.ExitCode == 0 ? output : null;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
