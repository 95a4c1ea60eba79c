using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Cgroups.V1;
using Hull.Plugins.Linux.Cgroups.V2;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

public class CgroupManagersTests
{
    [Fact]
    public void SystemdCgroupWithoutSystemdFailsAsRuncDoes()
    {
        var e = Assert.Throws<CgroupException>(() =>
            CgroupManagers.Create(new CgroupConfig { Name = "c1", Systemd = true }, systemdRunning: () => false));
        Assert.Equal("systemd not running on this host, cannot use systemd cgroups manager", e.Message);
    }

    [Fact]
    public void SystemdCgroupWithSystemdSaysTheDriverIsNotThereYet()
    {
        var e = Assert.Throws<CgroupException>(() =>
            CgroupManagers.Create(new CgroupConfig { Name = "c1", Systemd = true }, systemdRunning: () => true));
        Assert.Contains("without --systemd-cgroup", e.Message);
    }

    [Fact]
    public void OpenPicksTheManagerFromThePathsKeys()
    {
        Assert.IsType<CgroupV2Manager>(CgroupManagers.Open(new Dictionary<string, string> { [""] = "/sys/fs/cgroup/c1" }, rootless: false));
        Assert.IsType<CgroupV1Manager>(CgroupManagers.Open(new Dictionary<string, string> { ["memory"] = "/m/c1", [""] = "/u/c1" }, rootless: false));
        Assert.IsType<NullCgroupManager>(CgroupManagers.Open(new Dictionary<string, string>(), rootless: true));
        Assert.IsType<NullCgroupManager>(CgroupManagers.Open(null, rootless: false));
    }

    [Fact]
    public void WithoutCgroupsOnlyNoLimitsIsFine()
    {
        var host = CgroupHost.Parse("22 1 0:5 / /proc rw - proc proc rw\n", "");
        var m = CgroupManagers.Create(new CgroupConfig { Name = "c1" }, host);
        Assert.IsType<NullCgroupManager>(m);
        m.Apply(1);
        m.Set(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] });
        Assert.Contains("no cgroup", Assert.Throws<CgroupException>(m.Freeze).Message);
        Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 3 } }));
        var e = Assert.Throws<CgroupException>(() =>
            CgroupManagers.Create(new CgroupConfig { Name = "c1", Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20 } } }, host));
        Assert.Contains("no cgroup filesystem", e.Message);
    }

    [Fact]
    public void TheConfigFromASpecCarriesThePathAndTheFullDeviceList()
    {
        var spec = new Spec
        {
            OciVersion = "1.0.2",
            Linux = new Hull.Abstractions.Oci.Linux { CgroupsPath = "/hull/x", Resources = new LinuxResources { Pids = new LinuxPids { Limit = 9 } } },
        };
        var config = CgroupConfig.FromSpec(spec, "x", rootlessCgroups: true, systemd: false);
        Assert.Equal("/hull/x", config.Path);
        Assert.Equal("x", config.Name);
        Assert.True(config.Rootless);
        Assert.Equal(9, config.Resources!.Pids!.Limit);
        Assert.Equal(DeviceRules.Defaults.Count, config.Resources.Devices!.Count);
    }
}
