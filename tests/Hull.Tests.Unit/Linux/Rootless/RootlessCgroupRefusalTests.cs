using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Interop;
using Hull.Tests.Unit.Linux.Cgroups;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootless;

/// <summary>
/// A rootless container whose cgroup could not be created is re-opened from its (empty) saved paths:
/// every command that needs the cgroup gets one clear refusal saying why and what would fix it.
/// </summary>
public class RootlessCgroupRefusalTests
{
    static readonly ICgroupManager Reopened = CgroupManagers.Open(new Dictionary<string, string>(), rootless: true);

    public static TheoryData<string, string> Operations() => new()
    {
        { "pause", "pause" },
        { "resume", "resume" },
        { "stats", "read the stats of" },
        { "oom", "watch for OOM kills in" },
        { "ps", "list the processes of" },
        { "update", "apply linux.resources to" },
    };

    static void Invoke(string operation)
    {
        switch (operation)
        {
            case "pause": Reopened.Freeze(); break;
            case "resume": Reopened.Thaw(); break;
            case "stats": Reopened.GetStats(); break;
            case "oom": Reopened.OpenOomNotifier(); break;
            case "ps": Reopened.GetPids(); break;
            case "update": Reopened.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 10 << 20 } }); break;
            default: throw new ArgumentOutOfRangeException(nameof(operation));
        }
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void EachCgroupCommandSaysWhyAndWhatWouldMakeItWork(string operation, string verb)
    {
        var e = Assert.Throws<CgroupException>(() => Invoke(operation));
        Assert.StartsWith($"cannot {verb} the container: it has no cgroup (hull ran rootless", e.Message);
        Assert.Contains("run hull as root", e.Message);
        Assert.Contains("Delegate=yes", e.Message);
        Assert.Contains("linux.cgroupsPath", e.Message);
    }

    [Fact]
    public void WhatNeedsNoCgroupStillWorks()
    {
        Assert.False(Reopened.Exists());
        Assert.Equal(FreezerState.Undefined, Reopened.GetFreezerState());
        Reopened.Set(new LinuxResources());
        Reopened.AddProcess(1);
        Reopened.Destroy();
        Assert.Empty(Reopened.Paths);
    }

    [Fact]
    public void AV1ContainerWithoutItsFreezerHierarchySaysTheSame()
    {
        var partial = CgroupManagers.Open(new Dictionary<string, string> { ["name=systemd"] = "/sys/fs/cgroup/systemd/user.slice/c1" }, rootless: true);
        var e = Assert.Throws<CgroupException>(partial.Freeze);
        Assert.StartsWith("cannot pause the container: it has no freezer cgroup (hull ran rootless", e.Message);
    }

    [Fact]
    public void AnExplicitCgroupsPathHullMayNotWriteSaysHowToDelegateOne()
    {
        var (fs, host) = FakeHosts.Hybrid(ownMemory: "/user.slice");
        using (fs)
        {
            fs.FailOn("memory/mine", CgroupNative.EACCES);
            var m = CgroupManagers.Create(new CgroupConfig { Name = "c1", Path = "/mine", Rootless = true }, host, fs);
            var e = Assert.Throws<CgroupException>(() => m.Apply(7));
            Assert.Contains("Permission denied", e.Message);
            Assert.Contains("rootless: hull may not write this cgroup", e.Message);
            Assert.Contains("Delegate=yes", e.Message);
        }
    }
}
