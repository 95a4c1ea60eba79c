using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.State;
using Xunit;

namespace Hull.Tests.Unit.Linux.State;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class RootDirTests
{
    const string Xdg = "/run/user/1000";

    // Every cell: euid (0 / 1000) × initial user namespace (yes / no) × XDG_RUNTIME_DIR (set /
    // unset / empty) × USER (unset / root / alice).
    public static TheoryData<uint, bool, string?, string?, string> Cells()
    {
        var data = new TheoryData<uint, bool, string?, string?, string>();
        foreach (var euid in new uint[] { 0, 1000 })
            foreach (var initial in new[] { true, false })
                foreach (var xdg in new[] { Xdg, null, "" })
                    foreach (var user in new[] { null, "root", "alice" })
                    {
                        var honoured = !string.IsNullOrEmpty(xdg)
                            && (euid != 0 || (!initial && user is not null && user != "root"));
                        data.Add(euid, initial, xdg, user, honoured ? Xdg + "/hull" : "/run/hull");
                    }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void DefaultRootFollowsTheRules(uint euid, bool initialUserNs, string? xdg, string? user, string expected)
    {
        var choice = RootDir.Default(new HostIdentity(euid, initialUserNs, xdg, user));
        Assert.Equal(expected, choice.Path);
        Assert.Equal(expected != "/run/hull", choice.FromXdgRuntimeDir);
    }

    [Fact]
    public void RealRootIgnoresXdgRuntimeDir()
    {
        Assert.Equal("/run/hull", RootDir.Default(new HostIdentity(0, true, "/run/user/0", "alice")).Path);
    }

    [Fact]
    public void RootInAUserNamespaceNeedsANonRootUser()
    {
        Assert.Equal("/run/hull", RootDir.Default(new HostIdentity(0, false, Xdg, null)).Path);
        Assert.Equal("/run/hull", RootDir.Default(new HostIdentity(0, false, Xdg, "root")).Path);
        Assert.Equal(Xdg + "/hull", RootDir.Default(new HostIdentity(0, false, Xdg, "alice")).Path);
    }

    [Fact]
    public void ExplicitRootWinsAndIsMadeAbsolute()
    {
        var host = new HostIdentity(1000, true, Xdg, "alice");
        var choice = RootDir.Resolve("relative/root", host);
        Assert.Equal(Path.GetFullPath("relative/root"), choice.Path);
        Assert.False(choice.FromXdgRuntimeDir);
        Assert.Equal(Xdg + "/hull", RootDir.Resolve(null, host).Path);
    }

    [Fact]
    public void EnsureCreatesAPrivateDirectoryAndMarksXdgOnesSticky()
    {
        var temp = Directory.CreateTempSubdirectory("hull-rootdir-").FullName;
        try
        {
            var host = new HostIdentity(1000, true, temp, "alice");
            var plain = RootDir.Ensure(new RootDirChoice(Path.Combine(temp, "a", "root"), false), host.Euid);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(plain));
            var xdg = RootDir.Ensure(RootDir.Resolve(null, host), host.Euid);
            Assert.Equal(Path.Combine(temp, "hull"), xdg);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.StickyBit,
                File.GetUnixFileMode(xdg));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}

public class RootlessFactsTests
{
    [Theory]
    //          euid  initial  mode               euid?  cgroups?
    [InlineData(0u, true, RootlessMode.Auto, false, false)]
    [InlineData(0u, false, RootlessMode.Auto, false, true)]
    [InlineData(1000u, true, RootlessMode.Auto, true, true)]
    [InlineData(1000u, false, RootlessMode.Auto, true, true)]
    [InlineData(0u, true, RootlessMode.True, false, true)]
    [InlineData(0u, false, RootlessMode.True, false, true)]
    [InlineData(1000u, true, RootlessMode.True, true, true)]
    [InlineData(1000u, false, RootlessMode.True, true, true)]
    [InlineData(0u, true, RootlessMode.False, false, false)]
    [InlineData(0u, false, RootlessMode.False, false, false)]
    [InlineData(1000u, true, RootlessMode.False, true, false)]
    [InlineData(1000u, false, RootlessMode.False, true, false)]
    public void DetectionTable(uint euid, bool initialUserNs, RootlessMode mode, bool rootlessEuid, bool rootlessCgroups)
    {
        var facts = RootlessFacts.Decide(new HostIdentity(euid, initialUserNs, null, null), mode);
        Assert.Equal(new RootlessFacts(rootlessEuid, rootlessCgroups), facts);
    }

    [Theory]
    [InlineData("         0          0 4294967295\n", true)]
    [InlineData("0 0 4294967295", true)]
    [InlineData("         0       1000          1\n", false)]
    [InlineData("0 100000 65536\n", false)]
    [InlineData("0 0 4294967295\n1 1 1\n", false)]
    [InlineData("0 0 65536\n", false)]
    [InlineData(null, true)]
    public void InitialUserNamespaceIsTheIdentityMapOfAllIds(string? uidMap, bool initial)
    {
        Assert.Equal(initial, HostIdentity.ReadsAsInitialUserNamespace(uidMap));
    }

    [Fact]
    public void CurrentReadsThisProcess()
    {
        var host = HostIdentity.Current();
        Assert.Equal(Environment.IsPrivilegedProcess, host.Euid == 0);
    }
}
