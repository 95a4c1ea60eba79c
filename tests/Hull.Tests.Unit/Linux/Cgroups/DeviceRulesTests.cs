using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

public class DeviceRulesTests
{
    static LinuxDeviceCgroup Rule(bool allow, string? type, long? major, long? minor, string access) =>
        new() { Allow = allow, Type = type, Major = major, Minor = minor, Access = access };

    static Spec SpecWith(IReadOnlyList<LinuxDeviceCgroup>? rules, params string[] devicePaths) => new()
    {
        OciVersion = "1.0.2",
        Linux = new Hull.Abstractions.Oci.Linux
        {
            Resources = new LinuxResources { Devices = rules },
            Devices = devicePaths.Select(p => new LinuxDevice { Path = p, Type = "c", Major = 1, Minor = 3 }).ToList(),
        },
    };

    [Fact]
    public void TheConfigsRulesComeFirstThenRuncsDefaults()
    {
        var rules = DeviceRules.Effective(SpecWith([Rule(false, null, null, null, "rwm")]));
        Assert.Equal(
            ["a *:* rwm", "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm"],
            rules.Select(DeviceRules.V1Text));
        Assert.False(rules[0].Allow);
        Assert.All(rules.Skip(1), r => Assert.True(r.Allow));
    }

    [Fact]
    public void ADefaultDeviceTheConfigListsItselfIsLeftOut()
    {
        var rules = DeviceRules.Effective(SpecWith(null, "/dev/null", "/dev/zero"));
        Assert.DoesNotContain("c 1:3 rwm", rules.Select(DeviceRules.V1Text));
        Assert.DoesNotContain("c 1:5 rwm", rules.Select(DeviceRules.V1Text));
        Assert.Contains("c 1:9 rwm", rules.Select(DeviceRules.V1Text));
    }

    [Theory]
    [InlineData("x", "rwm", "type \"x\" is invalid")]
    [InlineData("c", "", "access is empty")]
    [InlineData("c", "rwx", "access \"rwx\" is invalid")]
    public void BadRulesAreRefusedNamingTheEntry(string type, string access, string message)
    {
        var e = Assert.Throws<CgroupException>(() => DeviceRules.Effective(SpecWith([Rule(true, "c", 1, 1, "r"), Rule(true, type, 1, 1, access)])));
        Assert.Contains("linux.resources.devices[1]", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TheEmulatorFollowsTheKernelsV1Semantics()
    {
        var e = DeviceEmulator.From(DeviceRules.Effective(SpecWith([Rule(false, "a", null, null, "rwm")])));
        Assert.False(e.DefaultAllow);
        Assert.True(e.Allows('c', 1, 3, DeviceAccess.Read | DeviceAccess.Write));   // /dev/null
        Assert.True(e.Allows('c', 136, 4, DeviceAccess.Write));                      // a pty
        Assert.True(e.Allows('b', 8, 0, DeviceAccess.Mknod));                        // mknod anything
        Assert.False(e.Allows('b', 8, 0, DeviceAccess.Read));                         // but not open a disk
        Assert.False(e.Allows('c', 10, 200, DeviceAccess.Read));                      // tun is not a default any more

        // A deny after an allow takes the bit away from the same exception; "a" resets everything.
        e = DeviceEmulator.From([Rule(false, "a", null, null, "rwm"), Rule(true, "c", 1, 3, "rwm"), Rule(false, "c", 1, 3, "w")]);
        Assert.True(e.Allows('c', 1, 3, DeviceAccess.Read));
        Assert.False(e.Allows('c', 1, 3, DeviceAccess.Write | DeviceAccess.Read));
        e.Apply(Rule(true, "a", 1, 2, "r"));
        Assert.True(e.DefaultAllow);
        Assert.Empty(e.Exceptions);

        // Black-list: any shared bit denies.
        e = DeviceEmulator.From([Rule(true, "a", null, null, "rwm"), Rule(false, "b", 8, null, "w")]);
        Assert.False(e.Allows('b', 8, 1, DeviceAccess.Read | DeviceAccess.Write));
        Assert.True(e.Allows('b', 8, 1, DeviceAccess.Read));
        Assert.True(e.Allows('c', 8, 1, DeviceAccess.Write));
    }

    public static TheoryData<string, LinuxDeviceCgroup[]> RuleSets => new()
    {
        { "runc default", [.. DeviceRules.Effective(SpecWith([Rule(false, null, null, null, "rwm")]))] },
        { "no rules: white-list of nothing", [] },
        { "black-list", [Rule(true, "a", null, null, "rwm"), Rule(false, "c", 1, 3, "w"), Rule(false, "b", null, null, "rw")] },
        { "partial access", [Rule(true, "c", 1, null, "r"), Rule(true, "c", 1, 3, "w"), Rule(false, "c", 1, 3, "r")] },
    };

    [Theory]
    [MemberData(nameof(RuleSets))]
    public void TheEbpfProgramDecidesExactlyAsTheEmulator(string name, LinuxDeviceCgroup[] rules)
    {
        var emulator = DeviceEmulator.From(rules);
        var program = DeviceFilterProgram.Build(emulator);
        foreach (var type in new[] { 'b', 'c' })
            foreach (var major in new long[] { 1, 5, 8, 136, 254 })
                foreach (var minor in new long[] { 0, 2, 3, 9 })
                    for (var access = 1; access <= 7; access++)
                        Assert.True(
                            emulator.Allows(type, major, minor, (DeviceAccess)access) == BpfInterpreter.Run(program, type, major, minor, (DeviceAccess)access),
                            $"{name}: {type} {major}:{minor} access {access}");
    }

    [Fact]
    public void InstructionsAreEncodedAsTheKernelLaysThemOut()
    {
        // r2 = *(u32 *)(r1 + 4): code 0x61, dst 2, src 1, off 4.
        Assert.Equal(0x0000_0000_0004_1261UL, new DeviceFilterProgram.Instruction(0x61, 2, 1, 4, 0).Encode());
        // if r2 != 0xffff goto +3
        Assert.Equal(0x0000_ffff_0003_0255UL, new DeviceFilterProgram.Instruction(0x55, 2, 0, 3, 0xffff).Encode());
        // r0 = -1
        Assert.Equal(0xffff_ffff_0000_00b7UL, new DeviceFilterProgram.Instruction(0xb7, 0, 0, 0, -1).Encode());
    }
}
