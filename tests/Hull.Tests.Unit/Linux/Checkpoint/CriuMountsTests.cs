using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Checkpoint;
using Hull.Plugins.Linux.Rootfs;
using Xunit;
using F = Hull.Plugins.Linux.Rootfs.MountFlags;

namespace Hull.Tests.Unit.Linux.Checkpoint;

public class CriuMountsTests
{
    // A hybrid host like this VM's: v1 hierarchies (cpu and cpuacct co-mounted here), cgroup2 at unified.
    const string HostMountinfo = """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        31 22 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
        33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
        34 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
        """;

    static readonly IReadOnlyList<MountInfoEntry> Host = MountInfo.Parse(HostMountinfo);

    static readonly Dictionary<string, string> Paths = new()
    {
        ["cpu"] = "/sys/fs/cgroup/cpu,cpuacct/c1",
        ["cpuacct"] = "/sys/fs/cgroup/cpu,cpuacct/c1",
        ["memory"] = "/sys/fs/cgroup/memory/outer/c1",
        ["name=systemd"] = "/sys/fs/cgroup/systemd/c1",
        [""] = "/sys/fs/cgroup/unified/c1",
    };

    static CriuMounts For(Spec spec) => CriuMounts.For(spec, "/b/rootfs", "/b", Paths, Host);

    [Fact]
    public void TheContainersCgroupsReadAsProcCgroupWould()
    {
        var own = CriuMounts.ContainerCgroups(Paths, Host);
        Assert.Equal("/c1", own["cpu"]);
        Assert.Equal("/outer/c1", own["memory"]);
        Assert.Equal("/c1", own["name=systemd"]);
        Assert.Equal("/c1", own[""]);
    }

    [Fact]
    public void AHierarchyMountedFromASubdirectoryKeepsItsRoot()
    {
        var host = MountInfo.Parse("40 22 0:32 /outer /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        var own = CriuMounts.ContainerCgroups(new Dictionary<string, string> { ["memory"] = "/sys/fs/cgroup/memory/c1" }, host);
        Assert.Equal("/outer/c1", own["memory"]);
    }

    [Fact]
    public void CgroupBindsAreTheContainersOwnCgroupPerHierarchy()
    {
        var binds = For(SpecDefaults.Create(false)).CgroupBinds;
        Assert.Equal(
        [
            new("/sys/fs/cgroup/systemd", "/sys/fs/cgroup/systemd/c1"),
            new("/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/c1"),
            new("/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory/outer/c1"),
        ], binds);
    }

    [Fact]
    public void ConfigBindMountsAreNotCgroupBinds()
    {
        var spec = SpecDefaults.Create(false) with
        {
            Mounts = [.. SpecDefaults.Create(false).Mounts!, new Mount { Destination = "/data", Source = "/srv/data", Type = "bind", Options = ["rbind"] }],
        };
        Assert.DoesNotContain(For(spec).CgroupBinds, b => b.Destination == "/data");
    }

    [Fact]
    public void WithACgroupNamespaceThereAreNoCgroupBinds()
    {
        var defaults = SpecDefaults.Create(false);
        var spec = defaults with
        {
            Linux = defaults.Linux! with { Namespaces = [.. defaults.Linux!.Namespaces!, new LinuxNamespace { Type = "cgroup" }] },
        };
        Assert.Empty(For(spec).CgroupBinds);
    }

    [Fact]
    public void RestoreMountpointsSkipTmpfsContentAndCgroupMounts()
    {
        var defaults = SpecDefaults.Create(false);
        var spec = defaults with
        {
            Mounts =
            [
                .. defaults.Mounts!,
                new Mount { Destination = "/data", Source = "data", Type = "bind", Options = ["rbind", "ro"] },
                new Mount { Destination = "/data/cache", Source = "tmpfs", Type = "tmpfs" },
                new Mount { Destination = "/data/cache/inner", Source = "/srv/inner", Type = "bind", Options = ["bind"] },
            ],
        };
        var steps = For(spec).RestoreMountpoints;
        Assert.Equal(
        [
            "dir /proc", "dir /dev", "dir /sys",
            "bind /b/data /data", "dir /data/cache",
        ], steps.Select(s => (s.Flags & F.BIND) != 0 ? $"bind {s.Source} {s.Destination}" : $"dir {s.Destination}"));
        // A temporary bind, whatever the config asked for: only its mount point matters to CRIU.
        var bind = steps.Single(s => s.Destination == "/data");
        Assert.Equal(F.BIND | F.REC, bind.Flags);
        Assert.Null(bind.RemountFlags);
        Assert.Equal(MountTarget.LikeSource, bind.Target);
    }
}
