using Hull.Abstractions.Oci;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Seccomp;

/// <summary>
/// Real filters on real processes: the probe installs linux.seccomp through the API hull's init uses,
/// execs busybox (or syscall-probe), and the kernel's answer to the filtered syscall is observed.
/// </summary>
public class SeccompActionTests
{
    private static LinuxSyscall Rule(string action, params string[] names) => new() { Names = names, Action = action };

    private static LinuxSeccomp Allowing(params LinuxSyscall[] rules) => new() { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = rules };

    /// <summary>sh runs umask as a builtin, so the filtered syscall happens in the shell itself.</summary>
    private static readonly string[] UmaskThenEcho = [SeccompSandbox.Busybox, "sh", "-c", "trap 'echo trapped' SYS; umask 022; echo after $?"];

    [SkippableFact]
    public void ErrnoRuleFailsTheSyscallWithItsErrnoRet()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var target = box.PathOf("d");
        var r = box.Run(Allowing(new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 33 }), [SeccompSandbox.Busybox, "mkdir", target]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Numerical argument out of domain", r.Stderr); // EDOM = 33
        Assert.False(Directory.Exists(target));
    }

    [SkippableFact]
    public void ErrnoWithoutErrnoRetIsEperm()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var r = box.Run(Allowing(Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat")), [SeccompSandbox.Busybox, "mkdir", box.PathOf("d")]);
        Assert.Contains("Operation not permitted", r.Stderr);
    }

    [SkippableFact]
    public void DefaultErrnoRetAnswersEverySyscallNoRuleAllows()
    {
        SeccompSandbox.RequireHost();
        var everything = X86_64Syscalls.Names;
        Skip.If(everything.Count == 0, "no x86_64 syscall table (linux-libc-dev's asm/unistd_64.h)");
        using var box = new SeccompSandbox();
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = 95,
            Syscalls = [Rule("SCMP_ACT_ALLOW", [.. everything.Where(n => n is not ("mkdir" or "mkdirat"))])],
        };
        var r = box.Run(config, [SeccompSandbox.Busybox, "mkdir", box.PathOf("d")]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Operation not supported", r.Stderr); // EOPNOTSUPP = 95
    }

    [SkippableTheory]
    [InlineData("SCMP_ACT_KILL")]
    [InlineData("SCMP_ACT_KILL_THREAD")]
    [InlineData("SCMP_ACT_KILL_PROCESS")]
    public void KillActionsKillWithSigsysWhateverTheHandler(string action)
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var r = box.Run(Allowing(Rule(action, "umask")), UmaskThenEcho);
        Assert.Equal(SeccompSandbox.SigsysExit, r.ExitCode);
        Assert.DoesNotContain("after", r.Stdout);
        Assert.DoesNotContain("trapped", r.Stdout);
    }

    [SkippableTheory]
    [InlineData("SCMP_ACT_KILL", "survived\n", 0)]
    [InlineData("SCMP_ACT_KILL_THREAD", "survived\n", 0)]
    [InlineData("SCMP_ACT_KILL_PROCESS", "", SeccompSandbox.SigsysExit)]
    public void KillThreadEndsOnlyTheCallingThreadAndKillProcessAllOfThem(string action, string stdout, int exit)
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var r = box.Run(Allowing(Rule(action, "umask")), [SeccompSandbox.SyscallProbe, "thread-umask"]);
        Assert.Equal(exit, r.ExitCode);
        Assert.Equal(stdout, r.Stdout);
    }

    [SkippableFact]
    public void TrapSendsSigsysToTheProcessHandler()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var r = box.Run(Allowing(Rule("SCMP_ACT_TRAP", "umask")), UmaskThenEcho);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("trapped", r.Stdout);
        Assert.Contains("after", r.Stdout);
    }

    [SkippableFact]
    public void TraceWithoutATracerFailsTheSyscallWithEnosys()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var target = box.PathOf("d");
        var r = box.Run(Allowing(new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_TRACE", ErrnoRet = 5 }), [SeccompSandbox.Busybox, "mkdir", target]);
        Assert.Contains("Function not implemented", r.Stderr);
        Assert.False(Directory.Exists(target));
    }

    [SkippableFact]
    public void LogAllowsTheSyscallAndTheKernelLogsIt()
    {
        SeccompSandbox.RequireHost();
        Skip.IfNot(Tools.IsRoot, "reading audit records needs root (CAP_AUDIT_READ)");
        using var box = new SeccompSandbox();
        using var audit = AuditRecords.Listen();
        var r = box.Run(Allowing(Rule("SCMP_ACT_LOG", "umask")), [SeccompSandbox.Busybox, "sh", "-c", "umask 022 && echo $$"]);
        Assert.Equal(0, r.ExitCode);
        Assert.True(audit.WaitFor(AuditRecords.Seccomp, TimeSpan.FromSeconds(10), $"pid={r.Stdout.Trim()} ", "syscall=95 ", "code=0x7ffc0000"),
            "no audit record of the logged umask");
    }

    [SkippableFact]
    public void AllowRulesOpenADenyingDefaultAndUnlistedCallsGetTheDefault()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        // Exactly what `busybox true` needs: nothing else may run on the filtered thread, so this also
        // proves the probe (as hull's init) makes no syscall of its own between the filter and execve.
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_KILL_PROCESS",
            Syscalls = [Rule("SCMP_ACT_ALLOW", "execve", "arch_prctl", "brk", "exit_group", "getrandom", "getuid", "mprotect", "prctl", "prlimit64", "readlink", "rseq", "set_robust_list", "set_tid_address")],
        };
        Assert.Equal(0, box.Run(config, [SeccompSandbox.Busybox, "true"]).ExitCode);
        Assert.Equal(SeccompSandbox.SigsysExit, box.Run(config, [SeccompSandbox.Busybox, "mkdir", box.PathOf("d")]).ExitCode);
    }

    [SkippableFact]
    public void UnknownSyscallNamesAreSkippedAndTheRestApplies()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var r = box.Run(Allowing(Rule("SCMP_ACT_ERRNO", "no_such_syscall", "mkdir", "mkdirat")), [SeccompSandbox.Busybox, "mkdir", box.PathOf("d")]);
        Assert.Contains("Operation not permitted", r.Stderr);
        Assert.Contains("unknown syscall \"no_such_syscall\" ignored", r.Stderr);
    }

    [SkippableFact]
    public void NewerSyscallsThanTheProfileGetEnosysAndOlderOnesTheDefault()
    {
        SeccompSandbox.RequireHost();
        var everything = X86_64Syscalls.Names;
        Skip.If(everything.Count == 0, "no x86_64 syscall table (linux-libc-dev's asm/unistd_64.h)");
        using var box = new SeccompSandbox();
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Syscalls = [Rule("SCMP_ACT_ALLOW", [.. everything.Where(n => n != "personality")])],
        };
        const string personality = "135";
        Assert.Equal("errno 1\n", box.Run(config, [SeccompSandbox.SyscallProbe, "nr", personality]).Stdout);
        Assert.Equal("errno 38\n", box.Run(config, [SeccompSandbox.SyscallProbe, "nr", "999"]).Stdout);
    }

    [SkippableFact]
    public void WithoutNoNewPrivsInstallingNeedsCapSysAdmin()
    {
        SeccompSandbox.RequireHost();
        Skip.IfNot(Tools.IsRoot, "needs root to have (and drop) CAP_SYS_ADMIN");
        Skip.If(Tools.Which("setpriv") is null, "util-linux's setpriv is not installed");
        using var box = new SeccompSandbox();
        var config = Allowing(Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat"));
        string[] mkdir = [SeccompSandbox.Busybox, "mkdir", box.PathOf("d")];
        string[] withoutSysAdmin = ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"];

        Assert.Contains("Operation not permitted", box.Run(config, mkdir, noNewPrivs: false).Stderr);
        Assert.Contains("Operation not permitted", box.Run(config, mkdir, noNewPrivs: true, wrapper: withoutSysAdmin).Stderr);

        var refused = box.Run(config, mkdir, noNewPrivs: false, wrapper: withoutSysAdmin);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("needs no_new_privs or CAP_SYS_ADMIN", refused.Stderr);
    }
}

/// <summary>The x86_64 syscall names from the kernel headers, for profiles that list them all.</summary>
internal static class X86_64Syscalls
{
    private const string Header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";

    public static IReadOnlyList<string> Names { get; } = File.Exists(Header)
        ? [.. File.ReadLines(Header)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 3 && p[0] == "#define" && p[1].StartsWith("__NR_", StringComparison.Ordinal))
            .Select(p => p[1]["__NR_".Length..])]
        : [];
}
