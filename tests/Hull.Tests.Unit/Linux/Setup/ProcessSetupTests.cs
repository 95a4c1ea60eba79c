using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Setup;
using Xunit;

namespace Hull.Tests.Unit.Linux.Setup;

sealed class FakeProcessOps : IProcessOps
{
    public List<string> Calls { get; } = [];
    public int LastCap { get; init; } = 40;
    public bool SetgroupsAllowed { get; init; } = true;
    public string? Passwd { get; init; }
    public Dictionary<int, (ulong, ulong)> Limits { get; } = [];
    public int RlimitErrno { get; init; }

    public int SetRlimit(int pid, int resource, ulong soft, ulong hard)
    {
        Calls.Add($"prlimit {pid} {resource} {soft} {hard}");
        return RlimitErrno;
    }

    public (ulong Soft, ulong Hard)? GetRlimit(int pid, int resource) => Limits.TryGetValue(resource, out var l) ? l : null;
    public void DropBounding(int cap) => Calls.Add($"drop {cap}");
    public void SetKeepCaps(bool keep) => Calls.Add($"keepcaps {keep}");
    public void SetCapabilities(ulong e, ulong p, ulong i) => Calls.Add($"capset {e:x} {p:x} {i:x}");
    public void ClearAmbient() => Calls.Add("ambient clear");
    public bool RaiseAmbient(int cap)
    {
        Calls.Add($"ambient raise {cap}");
        return true;
    }

    public void SetNoNewPrivileges() => Calls.Add("nnp");
    public void SetGroups(IReadOnlyList<uint> gids) => Calls.Add($"setgroups [{string.Join(',', gids)}]");
    public void SetGid(uint gid) => Calls.Add($"setgid {gid}");
    public void SetUid(uint uid) => Calls.Add($"setuid {uid}");
    public void FixStdioOwner(uint uid) => Calls.Add($"stdio {uid}");
    public uint SetUmask(uint mask)
    {
        Calls.Add($"umask {Convert.ToString(mask, 8)}");
        return 0;
    }

    public void BringLoopbackUp() => Calls.Add("lo up");
    public void SetHostname(string name) => Calls.Add($"hostname {name}");
    public void SetDomainname(string name) => Calls.Add($"domainname {name}");
    public string? ReadFile(string path) => path == "/etc/passwd" ? Passwd : null;
}

public class ProcessSetupTests
{
    static Process DefaultProcess => SpecDefaults.Create(false).Process!;

    static (List<string> Calls, ExecUser User, List<string> Warnings) Apply(Process process, FakeProcessOps? ops = null, bool rootless = false, ulong held = 0)
    {
        ops ??= new FakeProcessOps { LastCap = 40 };
        var warnings = new List<string>();
        var user = new ProcessSetup(ops).Apply(process, rootless, held, warnings.Add);
        return (ops.Calls, user, warnings);
    }

    [Fact]
    public void RuncsOrderWithRuncsDefaultCapabilities()
    {
        var ops = new FakeProcessOps { LastCap = 40 };
        var (calls, _, warnings) = Apply(DefaultProcess, ops);
        // CAP_KILL=5, CAP_NET_BIND_SERVICE=10, CAP_AUDIT_WRITE=29 are kept in the bounding set.
        var kept = new[] { 5, 10, 29 };
        var drops = Enumerable.Range(0, 41).Where(c => !kept.Contains(c)).Select(c => $"drop {c}");
        Assert.Equal(
        [
            "nnp",
            .. drops,
            "keepcaps True",
            "stdio 0",
            "setgroups []",
            "setgid 0",
            "setuid 0",
            "keepcaps False",
            "capset 20000420 20000420 0",
            "ambient clear",
            "ambient raise 5", "ambient raise 10", "ambient raise 29",
            "umask 22",
        ], calls);
        Assert.Empty(warnings);
    }

    [Fact]
    public void HeldCapabilitiesStayEffectiveAndPermittedButNeverInheritable()
    {
        var (calls, _, _) = Apply(DefaultProcess, held: 1UL << 21);
        Assert.Contains("capset 20200420 20200420 0", calls);
        Assert.DoesNotContain(calls, c => c.StartsWith("ambient raise 21"));
    }

    [Fact]
    public void InheritableStaysEmptyUnlessAsked()
    {
        var (calls, _, _) = Apply(DefaultProcess);
        Assert.Contains("capset 20000420 20000420 0", calls);
        var asked = DefaultProcess with { Capabilities = DefaultProcess.Capabilities! with { Inheritable = ["CAP_KILL"] } };
        Assert.Contains("capset 20000420 20000420 20", Apply(asked).Calls);
    }

    [Fact]
    public void UnknownAndUnavailableCapabilitiesAreIgnoredWithRuncsWarning()
    {
        var p = DefaultProcess with
        {
            Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL", "CAP_FOO", "CAP_CHECKPOINT_RESTORE"], Effective = ["CAP_KILL"], Permitted = ["CAP_KILL"] },
        };
        var (calls, _, warnings) = Apply(p, new FakeProcessOps { LastCap = 39 });
        Assert.Equal(["ignoring unknown or unavailable capabilities: [CAP_CHECKPOINT_RESTORE CAP_FOO]"], warnings);
        Assert.Contains("capset 20 20 0", calls);
        Assert.DoesNotContain("drop 40", calls);
    }

    [Fact]
    public void NoCapabilitiesMeansEveryBoundDroppedAndEmptySets()
    {
        var (calls, _, _) = Apply(DefaultProcess with { Capabilities = null, NoNewPrivileges = false });
        Assert.Equal(41, calls.Count(c => c.StartsWith("drop ", StringComparison.Ordinal)));
        Assert.Contains("capset 0 0 0", calls);
        Assert.DoesNotContain("nnp", calls);
        Assert.DoesNotContain(calls, c => c.StartsWith("ambient raise", StringComparison.Ordinal));
    }

    [Fact]
    public void UserGroupsAndUmask()
    {
        var p = DefaultProcess with { User = new User { Uid = 1000, Gid = 100, AdditionalGids = [5, 27], Umask = 0x3f /* 077 */ } };
        var ops = new FakeProcessOps { Passwd = "root:x:0:0:root:/root:/bin/sh\n# comment\nalice:x:1000:100::/home/alice:/bin/sh\n" };
        var (calls, user, _) = Apply(p, ops);
        Assert.Equal(["stdio 1000", "setgroups [5,27]", "setgid 100", "setuid 1000"], calls.Where(c => c.StartsWith("set", StringComparison.Ordinal) || c.StartsWith("stdio", StringComparison.Ordinal)));
        Assert.Equal("umask 77", calls[^1]);
        Assert.Equal((1000u, 100u, "/home/alice"), (user.Uid, user.Gid, user.Home));
        Assert.Equal([5u, 27u], user.Groups);
    }

    [Fact]
    public void HomeDefaultsToRootDirectoryWithoutAPasswdEntry()
    {
        var (_, user, _) = Apply(DefaultProcess with { User = new User { Uid = 4242 } }, new FakeProcessOps { Passwd = "root:x:0:0::/root:/bin/sh" });
        Assert.Equal("/", user.Home);
        Assert.Equal("/", Apply(DefaultProcess).User.Home);
    }

    [Fact]
    public void HomeIsAddedOnlyWhenTheConfigHasNone()
    {
        var user = new ExecUser(0, 0, [], "/root");
        Assert.Equal(["PATH=/bin", "HOME=/root"], ProcessSetup.WithHome(["PATH=/bin"], user));
        Assert.Equal(["HOME=/srv"], ProcessSetup.WithHome(["HOME=/srv"], user));
        Assert.Equal(["A=1", "HOME=/root"], ProcessSetup.WithHome(["HOME=", "A=1"], user));
    }

    [Fact]
    public void RootlessRefusesAdditionalGroupsAndSkipsSetgroups()
    {
        var withGroups = DefaultProcess with { User = new User { AdditionalGids = [5] } };
        var e = Assert.Throws<ConfigException>(() => Apply(withGroups, rootless: true));
        Assert.Equal("process.user.additionalGids: cannot set any additional groups in a rootless container", e.Message);
        Assert.DoesNotContain(Apply(DefaultProcess, rootless: true).Calls, c => c.StartsWith("setgroups", StringComparison.Ordinal));
    }

    [Fact]
    public void SetgroupsDeniedIsLeftAlone()
    {
        var (calls, _, _) = Apply(DefaultProcess, new FakeProcessOps { SetgroupsAllowed = false });
        Assert.DoesNotContain(calls, c => c.StartsWith("setgroups", StringComparison.Ordinal));
        Assert.Contains("setuid 0", calls);
    }
}

public class CapabilitySetsTests
{
    [Fact]
    public void NamesMapToKernelNumbers()
    {
        Assert.Equal(0, CapabilitySets.Number("CAP_CHOWN"));
        Assert.Equal(21, CapabilitySets.Number("CAP_SYS_ADMIN"));
        Assert.Equal(40, CapabilitySets.Number("CAP_CHECKPOINT_RESTORE"));
        Assert.Equal(-1, CapabilitySets.Number("cap_chown"));
        Assert.Equal(-1, CapabilitySets.Number("CAP_FOO"));
    }

    [Fact]
    public void MasksAndBits()
    {
        var sets = CapabilitySets.From(new LinuxCapabilities { Effective = ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_BPF"] }, 40, out var ignored);
        Assert.Equal((1UL << 0) | (1UL << 21) | (1UL << 39), sets.Effective);
        Assert.Equal(0UL, sets.Inheritable);
        Assert.Empty(ignored);
        Assert.Equal([0, 21, 39], CapabilitySets.Bits(sets.Effective, 40));
    }
}

public class RlimitsTests
{
    [Fact]
    public void UnknownRlimitIsRuncsError()
    {
        var e = Assert.Throws<ConfigException>(() => Rlimits.Validate([new PosixRlimit { Type = "RLIMIT_FOO", Soft = 3, Hard = 3 }]));
        Assert.Equal("process.rlimits[0].type: wrong rlimit value: RLIMIT_FOO", e.Message);
    }

    [Fact]
    public void SoftAboveHardIsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => Rlimits.Validate([new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 10, Hard = 5 }]));
        Assert.Equal("process.rlimits[0]", e.JsonPath);
    }

    [Fact]
    public void NamesAreKernelNumbers()
    {
        Assert.Equal(7, Rlimits.Resource("RLIMIT_NOFILE"));
        Assert.Equal(15, Rlimits.Resource("RLIMIT_RTTIME"));
        Assert.Equal(0, Rlimits.Resource("RLIMIT_CPU"));
    }

    [Fact]
    public void EachLimitIsSetOnTheGivenProcess()
    {
        var ops = new FakeProcessOps();
        Rlimits.Apply([new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 1024, Hard = 1024 }, new PosixRlimit { Type = "RLIMIT_CORE", Soft = 0, Hard = ulong.MaxValue }], 42, ops);
        Assert.Equal(["prlimit 42 7 1024 1024", $"prlimit 42 4 0 {ulong.MaxValue}"], ops.Calls);
    }

    [Fact]
    public void RaisingTheHardLimitWithoutThePrivilegeNamesTheLimit()
    {
        var ops = new FakeProcessOps { RlimitErrno = 1 };
        ops.Limits[7] = (1024, 20000);
        var e = Assert.Throws<HullException>(() => Rlimits.Apply([new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 30000, Hard = 30000 }], 0, ops));
        Assert.Equal("error setting rlimit RLIMIT_NOFILE (soft 30000, hard 30000): operation not permitted: the hard limit can only be raised above the current 20000 with CAP_SYS_RESOURCE", e.Message);
    }
}
