using System.Runtime.InteropServices;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Seccomp;
using Xunit;

namespace Hull.Tests.Unit.Linux.Seccomp;

/// <summary>
/// Profiles compiled with the real libseccomp (no root needed), then run in a BPF interpreter over
/// synthetic syscalls: what the kernel would answer for each.
/// </summary>
public class SeccompCompilerTests
{
    // x86_64 syscall numbers.
    private const int Read = 0, Write = 1, Open = 2, Getpid = 39, Socket = 41, Getcwd = 79, Mkdir = 83, Rmdir = 84, Clone3 = 435;
    private const int I386Mkdir = 39, I386Socketcall = 102;
    private const uint KillThread = 0, KillProcess = 0x8000_0000, Trap = 0x0003_0000, Errno = 0x0005_0000,
        Notify = 0x7fc0_0000, Trace = 0x7ff0_0000, Log = 0x7ffc_0000, Allow = 0x7fff_0000;
    private const uint Eperm = 1, Enosys = 38;

    private static readonly bool HasLibseccomp = NativeLibrary.TryLoad("libseccomp.so.2", out _);

    private static void RequireLibseccomp()
    {
        Skip.IfNot(HasLibseccomp, "libseccomp.so.2 (Debian's libseccomp2) is not installed");
        Skip.IfNot(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the expected syscall numbers are x86_64's");
    }

    private static SeccompFilter Compile(LinuxSeccomp config, RecordingLog? log = null) =>
        SeccompCompiler.Compile(config, log ?? new RecordingLog(), new FakeSeccompKernel())!;

    private static uint Run(SeccompFilter filter, int nr, params ulong[] args) => BpfInterpreter.Run(filter.Program, SeccompData.X86_64(nr, args));

    private static LinuxSeccomp Allowing(params LinuxSyscall[] rules) => new() { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = rules };

    private static LinuxSyscall Rule(string action, params string[] names) => new() { Names = names, Action = action };

    [SkippableFact]
    public void AnErrnoRuleReturnsItsErrnoAndEveryOtherCallTheDefault()
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(new LinuxSyscall { Names = ["mkdir", "rmdir"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 33 }));
        Assert.Equal(Errno | 33, Run(filter, Mkdir));
        Assert.Equal(Errno | 33, Run(filter, Rmdir));
        Assert.Equal(Allow, Run(filter, Getpid));
        Assert.Equal(Allow, Run(filter, Getcwd));
        Assert.False(filter.HasListener);
    }

    [SkippableTheory]
    [InlineData("SCMP_ACT_KILL", KillThread)]
    [InlineData("SCMP_ACT_KILL_THREAD", KillThread)]
    [InlineData("SCMP_ACT_KILL_PROCESS", KillProcess)]
    [InlineData("SCMP_ACT_TRAP", Trap)]
    [InlineData("SCMP_ACT_ERRNO", Errno | Eperm)]
    [InlineData("SCMP_ACT_TRACE", Trace | Eperm)]
    [InlineData("SCMP_ACT_LOG", Log)]
    public void EveryRuleActionIsWhatTheFilterReturns(string action, uint expected)
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(Rule(action, "getcwd")));
        Assert.Equal(expected, Run(filter, Getcwd));
        Assert.Equal(Allow, Run(filter, Mkdir));
    }

    [SkippableTheory]
    [InlineData("SCMP_ACT_KILL", KillThread)]
    [InlineData("SCMP_ACT_KILL_PROCESS", KillProcess)]
    [InlineData("SCMP_ACT_TRAP", Trap)]
    [InlineData("SCMP_ACT_LOG", Log)]
    [InlineData("SCMP_ACT_TRACE", Trace | Eperm)]
    public void EveryDefaultActionIsWhatUnlistedCallsGet(string action, uint expected)
    {
        RequireLibseccomp();
        var filter = Compile(new LinuxSeccomp { DefaultAction = action, Syscalls = [Rule("SCMP_ACT_ALLOW", "getpid", "mkdir")] });
        Assert.Equal(expected, Run(filter, Getcwd));
        Assert.Equal(Allow, Run(filter, Mkdir));
    }

    [SkippableFact]
    public void DefaultErrnoRetIsTheDefaultErrno()
    {
        RequireLibseccomp();
        var filter = Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 95, Syscalls = [Rule("SCMP_ACT_ALLOW", "getpid", "mkdir")] });
        Assert.Equal(Errno | 95, Run(filter, Getcwd));
        Assert.Equal(Allow, Run(filter, Getpid));
    }

    [SkippableFact]
    public void ANotifyRuleReturnsUserNotifAndAsksForAListener()
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(Rule("SCMP_ACT_NOTIFY", "mkdir")) with { ListenerPath = "/run/agent.sock" });
        Assert.Equal(Notify, Run(filter, Mkdir));
        Assert.Equal(Allow, Run(filter, Rmdir));
        Assert.True(filter.HasListener);
    }

    public static TheoryData<string, ulong, ulong, ulong, bool> Comparisons => new()
    {
        // 64-bit values: the filter compares the high and the low halves.
        { "SCMP_CMP_EQ", 0x1_0000_0005, 0, 0x1_0000_0005, true },
        { "SCMP_CMP_EQ", 0x1_0000_0005, 0, 0x5, false },
        { "SCMP_CMP_EQ", 0x1_0000_0005, 0, 0x2_0000_0005, false },
        { "SCMP_CMP_NE", 0x1_0000_0005, 0, 0x5, true },
        { "SCMP_CMP_NE", 0x1_0000_0005, 0, 0x1_0000_0004, true },
        { "SCMP_CMP_NE", 0x1_0000_0005, 0, 0x1_0000_0005, false },
        { "SCMP_CMP_LT", 0x1_0000_0000, 0, 0xFFFF_FFFF, true },
        { "SCMP_CMP_LT", 0x1_0000_0000, 0, 0x1_0000_0000, false },
        { "SCMP_CMP_LT", 0x1_0000_0000, 0, 0x2_0000_0000, false },
        { "SCMP_CMP_LE", 0x1_0000_0000, 0, 0x1_0000_0000, true },
        { "SCMP_CMP_LE", 0x1_0000_0000, 0, 0xFFFF_FFFF, true },
        { "SCMP_CMP_LE", 0x1_0000_0000, 0, 0x1_0000_0001, false },
        { "SCMP_CMP_GT", 0x1_0000_0000, 0, 0x1_0000_0001, true },
        { "SCMP_CMP_GT", 0x1_0000_0000, 0, 0x2_0000_0000, true },
        { "SCMP_CMP_GT", 0x1_0000_0000, 0, 0x1_0000_0000, false },
        { "SCMP_CMP_GT", 0x1_0000_0000, 0, 0xFFFF_FFFF, false },
        { "SCMP_CMP_GE", 0x1_0000_0000, 0, 0x1_0000_0000, true },
        { "SCMP_CMP_GE", 0x1_0000_0000, 0, 0xFFFF_FFFF, false },
        // MASKED_EQ: value is the mask, valueTwo what the masked argument must equal.
        { "SCMP_CMP_MASKED_EQ", 0xFF00_0000_0000_00F0, 0x1200_0000_0000_0030, 0x12AB_CDEF_0000_0035, true },
        { "SCMP_CMP_MASKED_EQ", 0xFF00_0000_0000_00F0, 0x1200_0000_0000_0030, 0x1300_0000_0000_0030, false },
        { "SCMP_CMP_MASKED_EQ", 0xFF00_0000_0000_00F0, 0x1200_0000_0000_0030, 0x1200_0000_0000_0040, false },
    };

    [SkippableTheory]
    [MemberData(nameof(Comparisons))]
    public void EveryOperatorComparesAll64Bits(string op, ulong value, ulong valueTwo, ulong argument, bool matches)
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(new LinuxSyscall
        {
            Names = ["personality"],
            Action = "SCMP_ACT_ERRNO",
            Args = [new LinuxSeccompArg { Index = 1, Value = value, ValueTwo = valueTwo, Op = op }],
        }));
        const int personality = 135;
        Assert.Equal(matches ? Errno | Eperm : Allow, Run(filter, personality, 0, argument));
    }

    [SkippableFact]
    public void ConditionsOnDifferentArgumentsMustAllHold()
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(new LinuxSyscall
        {
            Names = ["socket"],
            Action = "SCMP_ACT_ERRNO",
            Args =
            [
                new LinuxSeccompArg { Index = 0, Value = 1, Op = "SCMP_CMP_EQ" },
                new LinuxSeccompArg { Index = 1, Value = 2, Op = "SCMP_CMP_EQ" },
            ],
        }));
        Assert.Equal(Errno | Eperm, Run(filter, Socket, 1, 2));
        Assert.Equal(Allow, Run(filter, Socket, 1, 3));
        Assert.Equal(Allow, Run(filter, Socket, 3, 2));
    }

    [SkippableFact]
    public void ConditionsOnTheSameArgumentEachMatchOnTheirOwnAsInRunc()
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(new LinuxSyscall
        {
            Names = ["socket"],
            Action = "SCMP_ACT_ERRNO",
            Args =
            [
                new LinuxSeccompArg { Index = 0, Value = 1, Op = "SCMP_CMP_EQ" },
                new LinuxSeccompArg { Index = 0, Value = 2, Op = "SCMP_CMP_EQ" },
            ],
        }));
        Assert.Equal(Errno | Eperm, Run(filter, Socket, 1));
        Assert.Equal(Errno | Eperm, Run(filter, Socket, 2));
        Assert.Equal(Allow, Run(filter, Socket, 3));
    }

    [SkippableFact]
    public void UnknownSyscallNamesAreSkippedWithADebugLog()
    {
        RequireLibseccomp();
        var log = new RecordingLog();
        var filter = Compile(Allowing(Rule("SCMP_ACT_ERRNO", "no_such_syscall", "mkdir")), log);
        Assert.Equal(Errno | Eperm, Run(filter, Mkdir));
        Assert.Contains(log.Debugs, m => m.Contains("\"no_such_syscall\""));
        Assert.Empty(log.Warnings);
    }

    [SkippableFact]
    public void ARuleThatRepeatsTheDefaultActionChangesNothing()
    {
        RequireLibseccomp();
        var filter = Compile(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Syscalls = [Rule("SCMP_ACT_ERRNO", "mkdir"), Rule("SCMP_ACT_ALLOW", "getpid")],
        });
        Assert.Equal(Errno | Eperm, Run(filter, Mkdir));
        Assert.Equal(Allow, Run(filter, Getpid));
    }

    [SkippableFact]
    public void ListedArchitecturesAreFilteredAndOthersAreKilled()
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(Rule("SCMP_ACT_ERRNO", "mkdir")) with { Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"] });
        Assert.Equal(Errno | Eperm, Run(filter, Mkdir));
        Assert.Equal(Errno | Eperm, BpfInterpreter.Run(filter.Program, new SeccompData(I386Mkdir, SeccompData.AuditArchI386)));
        Assert.Equal(Allow, BpfInterpreter.Run(filter.Program, new SeccompData(20, SeccompData.AuditArchI386)));
        Assert.Equal(Errno | Eperm, BpfInterpreter.Run(filter.Program, new SeccompData((int)(SeccompData.X32Bit | Mkdir), SeccompData.AuditArchX86_64)));
        Assert.Equal(KillThread, BpfInterpreter.Run(filter.Program, new SeccompData(Mkdir, SeccompData.AuditArchAarch64)));

        var nativeOnly = Compile(Allowing(Rule("SCMP_ACT_ERRNO", "mkdir")));
        Assert.Equal(KillThread, BpfInterpreter.Run(nativeOnly.Program, new SeccompData(I386Mkdir, SeccompData.AuditArchI386)));
        Assert.Equal(KillThread, BpfInterpreter.Run(nativeOnly.Program, new SeccompData((int)(SeccompData.X32Bit | Mkdir), SeccompData.AuditArchX86_64)));
    }

    [SkippableFact]
    public void OnX86SocketRulesAlsoCoverSocketcall()
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(Rule("SCMP_ACT_ERRNO", "socket")) with { Architectures = ["SCMP_ARCH_X86"] });
        const ulong sysSocket = 1;
        Assert.Equal(Errno | Eperm, BpfInterpreter.Run(filter.Program, new SeccompData(I386Socketcall, SeccompData.AuditArchI386, sysSocket)));
        Assert.Equal(Allow, BpfInterpreter.Run(filter.Program, new SeccompData(I386Socketcall, SeccompData.AuditArchI386, 3)));
    }

    [SkippableFact]
    public void SyscallsNewerThanTheProfileGetEnosysWhenTheDefaultDenies()
    {
        RequireLibseccomp();
        var filter = Compile(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            Syscalls = [Rule("SCMP_ACT_ALLOW", "read", "write", "getpid", "mkdir", "openat")],
        });
        const int openat = 257;
        Assert.Equal(Allow, Run(filter, openat));
        Assert.Equal(Errno | Eperm, Run(filter, Open));          // older than the profile: denied
        Assert.Equal(Errno | Enosys, Run(filter, Clone3));       // newer: not implemented
        Assert.Equal(Errno | Enosys, Run(filter, 1000));
        Assert.Equal(Errno | Enosys, BpfInterpreter.Run(filter.Program, new SeccompData(1000, SeccompData.AuditArchI386)));
        Assert.Equal(Errno | Eperm, BpfInterpreter.Run(filter.Program, new SeccompData(I386Mkdir + 1, SeccompData.AuditArchI386)));
        Assert.Equal(Errno | Enosys, BpfInterpreter.Run(filter.Program, new SeccompData((int)(SeccompData.X32Bit | 1000), SeccompData.AuditArchX86_64)));
        Assert.Equal(Allow, BpfInterpreter.Run(filter.Program, new SeccompData((int)(SeccompData.X32Bit | Mkdir), SeccompData.AuditArchX86_64)));
        Assert.Equal(KillThread, BpfInterpreter.Run(filter.Program, new SeccompData(1000, SeccompData.AuditArchAarch64)));
    }

    [SkippableTheory]
    [InlineData("SCMP_ACT_ALLOW", null, Allow)]
    [InlineData("SCMP_ACT_LOG", null, Log)]
    [InlineData("SCMP_ACT_ERRNO", Enosys, Errno | Enosys)]
    public void PermissiveDefaultsGetNoEnosysStub(string action, uint? errno, uint expected)
    {
        RequireLibseccomp();
        var filter = Compile(new LinuxSeccomp { DefaultAction = action, DefaultErrnoRet = errno, Syscalls = [Rule("SCMP_ACT_KILL", "mkdir")] });
        Assert.Equal(expected, Run(filter, 1000));
        Assert.Equal(KillThread, Run(filter, Mkdir));
    }

    [SkippableFact]
    public void ALongProfileUsesTheBinaryTreeAndStaysExact()
    {
        RequireLibseccomp();
        Skip.If(SyscallNames.Count == 0, "no x86_64 syscall table (linux-libc-dev's asm/unistd_64.h) to name the syscalls");
        var allowed = Enumerable.Range(0, 200).Where(n => n % 3 != 0).ToArray();
        var names = allowed.Select(SyscallName).OfType<string>().ToArray();
        var filter = Compile(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Syscalls = [.. names.Select(n => Rule("SCMP_ACT_ALLOW", n))],
        });
        foreach (var nr in Enumerable.Range(0, 200))
        {
            var expected = SyscallName(nr) is { } n && names.Contains(n) ? Allow : Errno | Eperm;
            Assert.True(expected == Run(filter, nr), $"syscall {nr}");
        }
    }

    [SkippableFact]
    public void LogAndSpecAllowFlagsAreCarried()
    {
        RequireLibseccomp();
        var filter = Compile(Allowing(Rule("SCMP_ACT_ERRNO", "mkdir")) with { Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"] });
        Assert.Equal(2u | 4u, filter.Flags);
    }

    [SkippableFact]
    public void AnArchitectureTheLibraryLacksIsAClearError()
    {
        RequireLibseccomp();
        Skip.If(Hull.Plugins.Linux.Interop.LibSeccomp.seccomp_arch_resolve_name("sheb") != 0, "this libseccomp knows SH");
        var e = Assert.Throws<Hull.Abstractions.Errors.HullException>(() => Compile(Allowing() with { Architectures = ["SCMP_ARCH_SHEB"] }));
        Assert.Contains("SCMP_ARCH_SHEB is not supported by libseccomp", e.Message);
    }

    private static string? SyscallName(int nr) => nr switch
    {
        Read => "read",
        Write => "write",
        _ => SyscallNames.TryGetValue(nr, out var n) ? n : null,
    };

    /// <summary>A slice of the x86_64 table, enough for the long-profile test.</summary>
    private static readonly Dictionary<int, string> SyscallNames = File.Exists("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
        ? File.ReadLines("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 3 && p[0] == "#define" && p[1].StartsWith("__NR_", StringComparison.Ordinal))
            .ToDictionary(p => int.Parse(p[2]), p => p[1]["__NR_".Length..])
        : [];
}
