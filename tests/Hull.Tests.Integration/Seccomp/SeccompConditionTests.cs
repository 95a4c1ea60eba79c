using Hull.Abstractions.Oci;
using Xunit;

namespace Hull.Tests.Integration.Seccomp;

/// <summary>Argument conditions, architectures and flags on real processes.</summary>
public class SeccompConditionTests
{
    private const ulong FourGiBPlus5 = 0x1_0000_0005;

    private static LinuxSeccomp Allowing(params LinuxSyscall[] rules) => new() { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = rules };

    /// <summary>busybox truncate calls ftruncate(fd, size): the size is a 64-bit argument the test picks.</summary>
    private static string Truncate(SeccompSandbox box, LinuxSeccompArg condition, ulong size)
    {
        var config = Allowing(new LinuxSyscall { Names = ["ftruncate"], Action = "SCMP_ACT_ERRNO", Args = [condition] });
        var file = box.PathOf($"sparse-{size:x}");
        var r = box.Run(config, [SeccompSandbox.Busybox, "truncate", "-s", size.ToString(), file]);
        File.Delete(file);
        return r.Stderr.Contains("Operation not permitted") ? "denied" : r.ExitCode == 0 ? "allowed" : r.ToString();
    }

    public static TheoryData<string, ulong, ulong, ulong, string> Comparisons => new()
    {
        // Sizes that agree in one 32-bit half and not the other tell a full 64-bit compare from a half one.
        { "SCMP_CMP_EQ", FourGiBPlus5, 0, FourGiBPlus5, "denied" },
        { "SCMP_CMP_EQ", FourGiBPlus5, 0, 5, "allowed" },
        { "SCMP_CMP_NE", FourGiBPlus5, 0, 5, "denied" },
        { "SCMP_CMP_NE", FourGiBPlus5, 0, FourGiBPlus5, "allowed" },
        { "SCMP_CMP_LT", 0x1_0000_0000, 0, 0xFFFF_FFFF, "denied" },
        { "SCMP_CMP_LT", 0x1_0000_0000, 0, 0x1_0000_0000, "allowed" },
        { "SCMP_CMP_LE", 0x1_0000_0000, 0, 0x1_0000_0000, "denied" },
        { "SCMP_CMP_LE", 0x1_0000_0000, 0, FourGiBPlus5, "allowed" },
        { "SCMP_CMP_GT", 0x1_0000_0000, 0, FourGiBPlus5, "denied" },
        { "SCMP_CMP_GT", 0x1_0000_0000, 0, 0xFFFF_FFFF, "allowed" },
        { "SCMP_CMP_GE", 0x1_0000_0000, 0, 0x1_0000_0000, "denied" },
        { "SCMP_CMP_GE", 0x1_0000_0000, 0, 0xFFFF_FFFF, "allowed" },
        // MASKED_EQ: (size & value) == valueTwo.
        { "SCMP_CMP_MASKED_EQ", 0x1_0000_00F0, 0x1_0000_0000, FourGiBPlus5, "denied" },
        { "SCMP_CMP_MASKED_EQ", 0x1_0000_00F0, 0x1_0000_0000, 0x1_0000_0015, "allowed" },
        { "SCMP_CMP_MASKED_EQ", 0x1_0000_00F0, 0x1_0000_0000, 5, "allowed" },
    };

    [SkippableTheory]
    [MemberData(nameof(Comparisons))]
    public void EveryOperatorComparesTheWhole64BitArgument(string op, ulong value, ulong valueTwo, ulong size, string expected)
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        Assert.Equal(expected, Truncate(box, new LinuxSeccompArg { Index = 1, Value = value, ValueTwo = valueTwo, Op = op }, size));
    }

    [SkippableFact]
    public void ConditionsOnDifferentArgumentsMustAllMatch()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var self = (ulong)Environment.ProcessId;
        // kill(pid, sig): deny only "signal 0 to the test process".
        var config = Allowing(new LinuxSyscall
        {
            Names = ["kill"],
            Action = "SCMP_ACT_ERRNO",
            Args = [new LinuxSeccompArg { Index = 0, Value = self, Op = "SCMP_CMP_EQ" }, new LinuxSeccompArg { Index = 1, Value = 0, Op = "SCMP_CMP_EQ" }],
        });
        string Kill(string signal, ulong pid) => box.Run(config, [SeccompSandbox.Busybox, "kill", signal, pid.ToString()]).Stderr;
        Assert.Contains("Operation not permitted", Kill("-0", self));
        Assert.DoesNotContain("Operation not permitted", Kill("-CONT", self));
        Assert.DoesNotContain("Operation not permitted", Kill("-0", 1));
    }

    [SkippableTheory]
    [InlineData("i386", new[] { "SCMP_ARCH_X86" }, "errno 1")]
    [InlineData("i386", new string[0], "killed")]
    [InlineData("x32", new[] { "SCMP_ARCH_X32" }, "errno 1")]
    [InlineData("x32", new string[0], "killed")]
    [InlineData("x86_64", new[] { "SCMP_ARCH_X86", "SCMP_ARCH_X32" }, "errno 1")]
    public void ListedArchitecturesAreFilteredAndUnlistedOnesKilled(string abi, string[] architectures, string expected)
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var config = Allowing(new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO" }) with { Architectures = architectures };
        var r = box.Run(config, [SeccompSandbox.SyscallProbe, "mkdir", abi, box.PathOf("d")]);
        Assert.Equal(expected, r.ExitCode == SeccompSandbox.SigsysExit ? "killed" : r.Stdout.Trim());
    }

    [SkippableFact]
    public void TheLogFlagLogsErrnoActionsTooAndWithoutItTheyAreSilent()
    {
        SeccompSandbox.RequireHost();
        Skip.IfNot(Support.Tools.IsRoot, "reading audit records needs root (CAP_AUDIT_READ)");
        using var box = new SeccompSandbox();
        using var audit = AuditRecords.Listen();
        var config = Allowing(new LinuxSyscall { Names = ["umask"], Action = "SCMP_ACT_ERRNO" });
        string[] umask = [SeccompSandbox.Busybox, "sh", "-c", "umask 022; echo $$"];

        // The silent run goes first: records arrive in order, so once the logged run's record is read,
        // any record of the silent run would have been read before it.
        var silent = box.Run(config with { Flags = [] }, umask).Stdout.Trim();
        var logged = box.Run(config with { Flags = ["SECCOMP_FILTER_FLAG_LOG"] }, umask).Stdout.Trim();
        Assert.True(audit.WaitFor(AuditRecords.Seccomp, TimeSpan.FromSeconds(10), $"pid={logged} ", "syscall=95 ", "code=0x50000"),
            "SECCOMP_FILTER_FLAG_LOG did not log the errno action");
        Assert.False(audit.Lost, "the kernel dropped audit records, so the silent run cannot be shown silent");
        Assert.DoesNotContain(audit.Seen, r => AuditRecords.Matches(r, AuditRecords.Seccomp, [$"pid={silent} ", "syscall=95 "]));
    }

    [SkippableFact]
    public void TheKernelTakesEveryFlagItSupports()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        var config = Allowing(new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO" }) with
        {
            Flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
        };
        var r = box.Run(config, [SeccompSandbox.Busybox, "mkdir", box.PathOf("d")]);
        Assert.Contains("Operation not permitted", r.Stderr);
        Assert.Contains("flags 0x6", r.Stderr);
    }
}
