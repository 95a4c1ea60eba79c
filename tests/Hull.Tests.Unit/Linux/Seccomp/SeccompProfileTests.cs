using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Seccomp;
using Xunit;

namespace Hull.Tests.Unit.Linux.Seccomp;

/// <summary>linux.seccomp validation and resolution, before libseccomp is involved.</summary>
public class SeccompProfileTests
{
    private const uint Errno = 0x0005_0000, Allow = 0x7fff_0000, Notify = 0x7fc0_0000, Trace = 0x7ff0_0000;
    private const uint FlagLog = 2, FlagSpecAllow = 4, FlagNewListener = 8, FlagWaitKillable = 32;

    private static SeccompProfile Parse(LinuxSeccomp config, FakeSeccompKernel? kernel = null, RecordingLog? log = null) =>
        SeccompProfile.Parse(config, kernel ?? new FakeSeccompKernel(), log ?? new RecordingLog());

    private static LinuxSeccomp Rules(params LinuxSyscall[] rules) => new() { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = rules };

    private static ConfigException Fails(LinuxSeccomp config, FakeSeccompKernel? kernel = null) =>
        Assert.Throws<ConfigException>(() => Parse(config, kernel));

    [Fact]
    public void NoDefaultActionAndNoRulesMeansNoSeccomp()
    {
        Assert.True(SeccompProfile.IsDisabled(new LinuxSeccomp()));
        Assert.Null(SeccompCompiler.Compile(new LinuxSeccomp { Syscalls = [] }, new RecordingLog()));
        Assert.Null(SeccompCompiler.Compile(null, new RecordingLog()));
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL", 0x0000_0000u)]
    [InlineData("SCMP_ACT_KILL_THREAD", 0x0000_0000u)]
    [InlineData("SCMP_ACT_KILL_PROCESS", 0x8000_0000u)]
    [InlineData("SCMP_ACT_TRAP", 0x0003_0000u)]
    [InlineData("SCMP_ACT_ERRNO", 0x0005_0001u)]
    [InlineData("SCMP_ACT_TRACE", 0x7ff0_0001u)]
    [InlineData("SCMP_ACT_LOG", 0x7ffc_0000u)]
    [InlineData("SCMP_ACT_ALLOW", 0x7fff_0000u)]
    public void EveryActionMapsToItsKernelValueWithEpermAsTheDefaultErrno(string action, uint expected)
    {
        Assert.Equal(expected, Parse(new LinuxSeccomp { DefaultAction = action }).DefaultAction);
        Assert.Equal(expected, Parse(Rules(new LinuxSyscall { Names = ["mkdir"], Action = action })).Rules[0].Action);
    }

    [Fact]
    public void ErrnoRetGoesIntoTheReturnValueOfErrnoAndTrace()
    {
        var profile = Parse(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = 38,
            Syscalls =
            [
                new LinuxSyscall { Names = ["mkdir", "rmdir"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 33 },
                new LinuxSyscall { Names = ["getcwd"], Action = "SCMP_ACT_TRACE", ErrnoRet = 7 },
            ],
        });
        Assert.Equal(Errno | 38, profile.DefaultAction);
        Assert.Equal(["mkdir", "rmdir", "getcwd"], profile.Rules.Select(r => r.Name));
        Assert.Equal([Errno | 33, Errno | 33, Trace | 7], profile.Rules.Select(r => r.Action));
    }

    [Fact]
    public void ErrnoRetWithAnActionThatReturnsNoErrnoFailsAsTheSpecRequires()
    {
        Assert.Equal("linux.seccomp.syscalls[0].errnoRet",
            Fails(Rules(new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ALLOW", ErrnoRet = 5 })).JsonPath);
        Assert.Equal("linux.seccomp.defaultErrnoRet",
            Fails(new LinuxSeccomp { DefaultAction = "SCMP_ACT_KILL", DefaultErrnoRet = 5 }).JsonPath);
        Assert.Contains("16 bits", Fails(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 70000 }).Message);
    }

    [Fact]
    public void UnknownNamesAreErrorsThatNameTheFieldAndTheChoices()
    {
        var action = Fails(Rules(new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_BOGUS" }));
        Assert.Equal("linux.seccomp.syscalls[0].action", action.JsonPath);
        Assert.Contains("SCMP_ACT_ERRNO", action.Message);

        var op = Fails(Rules(new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO", Args = [new LinuxSeccompArg { Op = "SCMP_CMP_XX" }] }));
        Assert.Equal("linux.seccomp.syscalls[0].args[0].op", op.JsonPath);
        Assert.Contains("SCMP_CMP_MASKED_EQ", op.Message);

        var arch = Fails(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"] });
        Assert.Equal("linux.seccomp.architectures[1]", arch.JsonPath);

        var flag = Fails(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Flags = ["SECCOMP_FILTER_FLAG_FOO"] });
        Assert.Equal("linux.seccomp.flags[0]", flag.JsonPath);
        Assert.Contains("SECCOMP_FILTER_FLAG_LOG", flag.Message);

        Assert.Equal("linux.seccomp.defaultAction", Fails(new LinuxSeccomp { DefaultAction = "allow", Syscalls = [] }).JsonPath);
    }

    [Fact]
    public void RulesNeedNamesAndArgumentIndexesBelowSix()
    {
        Assert.Equal("linux.seccomp.syscalls[0].names", Fails(Rules(new LinuxSyscall { Names = [], Action = "SCMP_ACT_ERRNO" })).JsonPath);
        Assert.Equal("linux.seccomp.syscalls[0].names[1]", Fails(Rules(new LinuxSyscall { Names = ["mkdir", ""], Action = "SCMP_ACT_ERRNO" })).JsonPath);
        var index = Fails(Rules(new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO", Args = [new LinuxSeccompArg { Index = 6, Op = "SCMP_CMP_EQ" }] }));
        Assert.Equal("linux.seccomp.syscalls[0].args[0].index", index.JsonPath);
        Assert.NotNull(Parse(Rules(new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO", Args = [new LinuxSeccompArg { Index = 5, Op = "SCMP_CMP_EQ" }] })));
    }

    [Theory]
    [InlineData("SCMP_CMP_NE", 1)]
    [InlineData("SCMP_CMP_LT", 2)]
    [InlineData("SCMP_CMP_LE", 3)]
    [InlineData("SCMP_CMP_EQ", 4)]
    [InlineData("SCMP_CMP_GE", 5)]
    [InlineData("SCMP_CMP_GT", 6)]
    [InlineData("SCMP_CMP_MASKED_EQ", 7)]
    public void OperatorsMapToLibseccompAndKeepBothValues(string op, int expected)
    {
        var rule = Parse(Rules(new LinuxSyscall
        {
            Names = ["mkdir"],
            Action = "SCMP_ACT_ERRNO",
            Args = [new LinuxSeccompArg { Index = 2, Value = 0x1_0000_0007, ValueTwo = 5, Op = op }],
        })).Rules[0];
        Assert.Equal(new SeccompCondition(2, expected, 0x1_0000_0007, 5), Assert.Single(rule.Conditions));
    }

    [Fact]
    public void NotifyNeedsAListenerPathIsNeverTheDefaultAndNeverWrite()
    {
        var rule = new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_NOTIFY" };
        Assert.Equal("linux.seccomp.listenerPath", Fails(Rules(rule)).JsonPath);
        Assert.Equal("linux.seccomp.defaultAction", Fails(new LinuxSeccomp { DefaultAction = "SCMP_ACT_NOTIFY", ListenerPath = "/x" }).JsonPath);
        Assert.Equal("linux.seccomp.syscalls[0].names[1]",
            Fails(Rules(new LinuxSyscall { Names = ["mkdir", "write"], Action = "SCMP_ACT_NOTIFY" }) with { ListenerPath = "/x" }).JsonPath);

        var profile = Parse(Rules(rule) with { ListenerPath = "/run/agent.sock", Flags = [] });
        Assert.Equal(Notify, profile.Rules[0].Action);
        Assert.Equal(FlagNewListener, profile.Flags);
        Assert.True(profile.HasListener);
    }

    [Fact]
    public void ListenerMetadataWithoutAListenerPathFailsAsTheSpecRequires()
    {
        Assert.Equal("linux.seccomp.listenerMetadata",
            Fails(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", ListenerMetadata = "foo" }).JsonPath);
        // Without notify rules the path itself is ignored, as the spec says.
        Assert.False(Parse(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", ListenerPath = "/x", ListenerMetadata = "foo" }).HasListener);
    }

    [Fact]
    public void AbsentFlagsMeanSpecAllowWhenTheKernelHasIt()
    {
        var config = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW" };
        Assert.Equal(FlagSpecAllow, Parse(config).Flags);
        Assert.Equal(0u, Parse(config, new FakeSeccompKernel(supportedFlags: FlagLog)).Flags);
        Assert.Equal(0u, Parse(config with { Flags = [] }).Flags);
    }

    [Fact]
    public void ExplicitFlagsAreCheckedAgainstTheKernel()
    {
        var config = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"] };
        Assert.Equal(FlagLog | FlagSpecAllow, Parse(config).Flags);

        var unsupported = Fails(config, new FakeSeccompKernel(supportedFlags: FlagLog));
        Assert.Equal("linux.seccomp.flags[1]", unsupported.JsonPath);
        Assert.Contains("not supported by this kernel", unsupported.Message);
    }

    [Fact]
    public void WaitKillableRecvOnlyAppliesWithAListener()
    {
        var log = new RecordingLog();
        var withoutNotify = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] };
        Assert.Equal(0u, Parse(withoutNotify, log: log).Flags);
        Assert.Contains(log.Debugs, m => m.Contains("WAIT_KILLABLE_RECV ignored"));

        var withNotify = withoutNotify with { ListenerPath = "/x", Syscalls = [new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_NOTIFY" }] };
        Assert.Equal(FlagNewListener | FlagWaitKillable, Parse(withNotify).Flags);
        Assert.Throws<ConfigException>(() => Parse(withNotify, new FakeSeccompKernel(supportedFlags: FlagNewListener)));
    }

    [Fact]
    public void ArchitecturesBecomeLibseccompNames()
    {
        var profile = Parse(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"] });
        Assert.Equal(["x86_64", "x86", "x32"], profile.Architectures.Select(a => a.LibseccompName));
        Assert.Equal("SCMP_ARCH_X32", profile.Architectures[2].Name);
    }

    [Fact]
    public void ConditionsOnDistinctArgumentsAreOneRuleAndRepeatedArgumentsAreOneRuleEach()
    {
        SeccompCondition A(uint index) => new(index, 4, index, 0);
        Assert.Single(SeccompCompiler.ConditionGroups([A(0), A(1), A(2)]));
        Assert.Equal(3, SeccompCompiler.ConditionGroups([A(0), A(0), A(1)]).Count);
        Assert.Equal([0], SeccompCompiler.ConditionGroups([]).Select(g => g.Count));
    }

    [Fact]
    public void ErrorsAreHullErrorsWithExitCodeOne() =>
        Assert.Equal(1, Assert.IsAssignableFrom<HullException>(Fails(new LinuxSeccomp { DefaultAction = "x" })).ExitCode);
}
