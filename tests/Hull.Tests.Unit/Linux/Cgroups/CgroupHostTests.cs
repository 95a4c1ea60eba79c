using Hull.Plugins.Linux.Cgroups;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

public class CgroupHostTests
{
    // /proc/self/mountinfo of this kind of machine (trimmed to the cgroup lines and their parent).
    const string HybridMountinfo = """
        23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    const string HybridProcCgroup = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/707b\n1:cpu:/\n0::/\n";

    [Fact]
    public void ThisMachinesLayoutIsHybridWithEveryV1Controller()
    {
        var host = CgroupHost.Parse(HybridMountinfo, HybridProcCgroup);
        Assert.Equal(CgroupMode.Hybrid, host.Mode);
        Assert.Equal("/sys/fs/cgroup/unified", host.UnifiedMountPoint);
        Assert.Equal(
            ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"],
            host.V1Mounts.SelectMany(m => m.Controllers));
        Assert.Equal("/sys/fs/cgroup/memory", host.FindV1("memory")!.MountPoint);
        Assert.Null(host.FindV1("hugetlb"));
        Assert.Equal("/process_api/707b", host.OwnCgroups["memory"]);
        Assert.Equal("/", host.OwnCgroups[""]);
    }

    [Fact]
    public void OnlyCgroup2IsV2()
    {
        var host = CgroupHost.Parse(
            "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
            "0::/user.slice/user-1000.slice/session-1.scope\n");
        Assert.Equal(CgroupMode.V2, host.Mode);
        Assert.Equal("/sys/fs/cgroup", host.UnifiedMountPoint);
        Assert.Empty(host.V1Mounts);
        Assert.Equal("/user.slice/user-1000.slice/session-1.scope", host.OwnCgroups[""]);
    }

    [Fact]
    public void V1WithCoMountedControllersAndNoCgroup2IsV1()
    {
        var host = CgroupHost.Parse("""
            25 24 0:22 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
            28 24 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,cpu,cpuacct
            29 24 0:26 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,net_cls,net_prio
            30 24 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory
            """, "3:memory:/\n2:cpu,cpuacct:/x\n1:name=systemd:/\n");
        Assert.Equal(CgroupMode.V1, host.Mode);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", host.FindV1("cpuacct")!.MountPoint);
        Assert.Equal("/sys/fs/cgroup/net_cls,net_prio", host.FindV1("net_prio")!.MountPoint);
        Assert.Equal("/x", host.OwnCgroups["cpuacct"]);
        Assert.Null(host.UnifiedMountPoint);
    }

    [Fact]
    public void SystemdUnifiedLayoutWithOnlyTheNamedV1HierarchyIsV2()
    {
        var host = CgroupHost.Parse("""
            25 24 0:22 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
            26 24 0:23 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
            """, "0::/\n1:name=systemd:/\n");
        Assert.Equal(CgroupMode.V2, host.Mode);
        Assert.Equal("/sys/fs/cgroup/unified", host.UnifiedMountPoint);
    }

    [Fact]
    public void NoCgroupMountIsDisabled()
    {
        var host = CgroupHost.Parse("22 1 0:5 / /proc rw - proc proc rw\n", "");
        Assert.Equal(CgroupMode.Disabled, host.Mode);
    }

    [Fact]
    public void TheFirstMountOfAHierarchyWinsAndEscapesAreDecoded()
    {
        var host = CgroupHost.Parse("""
            35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            90 80 0:32 /docker/abc /var/lib/x\040y/memory rw - cgroup cgroup rw,memory
            91 80 0:29 /inner /tmp/my\040cg2 rw - cgroup2 cgroup2 rw
            """, "4:memory:/\n0::/inner/me\n");
        Assert.Equal("/sys/fs/cgroup/memory", host.FindV1("memory")!.MountPoint);
        Assert.Single(host.V1Mounts);
        Assert.Equal("/tmp/my cg2", host.UnifiedMountPoint);
        Assert.Equal("/inner", host.UnifiedRoot);
    }

    [Fact]
    public void TheConventionalCgroup2MountIsPreferred()
    {
        var host = CgroupHost.Parse("""
            91 80 0:29 / /tmp/other rw - cgroup2 cgroup2 rw
            41 31 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
            """, "0::/\n");
        Assert.Equal("/sys/fs/cgroup/unified", host.UnifiedMountPoint);
    }
}
