using Hull.Plugins.Linux.Rootfs;
using Xunit;
using F = Hull.Plugins.Linux.Rootfs.MountFlags;

namespace Hull.Tests.Unit.Linux.Rootfs;

public class MountOptionsTests
{
    [Fact]
    public void FlagsDataAndPropagationAreSeparated()
    {
        var o = MountOptions.Parse(["nosuid", "strictatime", "mode=755", "size=65536k", "rslave", "private"]);
        Assert.Equal(F.NOSUID | F.STRICTATIME, o.Flags);
        Assert.Equal("mode=755,size=65536k", o.Data);
        Assert.Equal([F.SLAVE | F.REC, F.PRIVATE], o.Propagation);
        Assert.True(o.Recursive.IsEmpty);
        Assert.False(o.IsBind);
    }

    [Fact]
    public void DevptsOptionsAreDataExceptTheFlags()
    {
        var o = MountOptions.Parse(["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]);
        Assert.Equal(F.NOSUID | F.NOEXEC, o.Flags);
        Assert.Equal("newinstance,ptmxmode=0666,mode=0620,gid=5", o.Data);
    }

    [Theory]
    [InlineData("ro", F.RDONLY)]
    [InlineData("nosuid", F.NOSUID)]
    [InlineData("nodev", F.NODEV)]
    [InlineData("noexec", F.NOEXEC)]
    [InlineData("relatime", F.RELATIME)]
    [InlineData("strictatime", F.STRICTATIME)]
    [InlineData("noatime", F.NOATIME)]
    [InlineData("nodiratime", F.NODIRATIME)]
    [InlineData("bind", F.BIND)]
    [InlineData("rbind", F.BIND | F.REC)]
    [InlineData("remount", F.REMOUNT)]
    [InlineData("sync", F.SYNCHRONOUS)]
    [InlineData("dirsync", F.DIRSYNC)]
    [InlineData("mand", F.MANDLOCK)]
    [InlineData("silent", F.SILENT)]
    [InlineData("lazytime", F.LAZYTIME)]
    [InlineData("iversion", F.I_VERSION)]
    [InlineData("acl", F.POSIXACL)]
    [InlineData("nosymfollow", F.NOSYMFOLLOW)]
    [InlineData("defaults", 0UL)]
    public void EachFlagOptionSetsItsFlag(string option, ulong flag)
    {
        Assert.Equal(flag, MountOptions.Parse([option]).Flags);
        Assert.Equal("", MountOptions.Parse([option]).Data);
    }

    [Theory]
    [InlineData("ro", "rw", F.RDONLY)]
    [InlineData("nosuid", "suid", F.NOSUID)]
    [InlineData("nodev", "dev", F.NODEV)]
    [InlineData("noexec", "exec", F.NOEXEC)]
    [InlineData("noatime", "atime", F.NOATIME)]
    [InlineData("relatime", "norelatime", F.RELATIME)]
    [InlineData("sync", "async", F.SYNCHRONOUS)]
    [InlineData("silent", "loud", F.SILENT)]
    [InlineData("acl", "noacl", F.POSIXACL)]
    [InlineData("nosymfollow", "symfollow", F.NOSYMFOLLOW)]
    public void LaterOptionsClearEarlierOnes(string set, string clear, ulong flag)
    {
        Assert.Equal(0UL, MountOptions.Parse([set, clear]).Flags & flag);
        Assert.Equal(flag, MountOptions.Parse([clear, set]).Flags & flag);
    }

    [Theory]
    [InlineData("private", F.PRIVATE)]
    [InlineData("rprivate", F.PRIVATE | F.REC)]
    [InlineData("slave", F.SLAVE)]
    [InlineData("rslave", F.SLAVE | F.REC)]
    [InlineData("shared", F.SHARED)]
    [InlineData("rshared", F.SHARED | F.REC)]
    [InlineData("unbindable", F.UNBINDABLE)]
    [InlineData("runbindable", F.UNBINDABLE | F.REC)]
    public void PropagationOptionsAreKeptApartInOrder(string option, ulong flag)
    {
        var o = MountOptions.Parse([option]);
        Assert.Equal(0UL, o.Flags);
        Assert.Equal([flag], o.Propagation);
    }

    [Fact]
    public void RecursiveOptionsBecomeMountAttributes()
    {
        var o = MountOptions.Parse(["rro", "rnosuid", "rnodev", "rexec"]);
        Assert.Equal(F.ATTR_RDONLY | F.ATTR_NOSUID | F.ATTR_NODEV, o.Recursive.Set);
        Assert.Equal(F.ATTR_NOEXEC, o.Recursive.Clear);
        Assert.Equal(0UL, o.Flags);
        // An atime mode must also clear MOUNT_ATTR__ATIME (mount_setattr(2)).
        var atime = MountOptions.Parse(["rnoatime"]);
        Assert.Equal(F.ATTR_NOATIME, atime.Recursive.Set);
        Assert.Equal(F.ATTR__ATIME, atime.Recursive.Clear);
        Assert.Equal(F.ATTR__ATIME, MountOptions.Parse(["rrelatime"]).Recursive.Clear);
        // A later clear wins over an earlier set and the other way round.
        Assert.Equal(F.ATTR_RDONLY, MountOptions.Parse(["rro", "rrw"]).Recursive.Clear);
        Assert.Equal(0UL, MountOptions.Parse(["rrw", "rro"]).Recursive.Clear);
    }

    [Fact]
    public void TmpcopyupIsAnExtensionNotData()
    {
        var o = MountOptions.Parse(["tmpcopyup", "mode=700"]);
        Assert.True(o.CopyUp);
        Assert.Equal("mode=700", o.Data);
    }

    [Fact]
    public void EveryOptionRuncKnowsIsUnderstood()
    {
        // runc's features list: none of them may fall through to filesystem data.
        foreach (var option in Hull.Abstractions.Oci.OciNames.MountOptions)
            Assert.Equal("", MountOptions.Parse([option]).Data);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("rslave", F.SLAVE | F.REC)]
    [InlineData("shared", F.SHARED)]
    [InlineData("rprivate", F.PRIVATE | F.REC)]
    [InlineData("runbindable", F.UNBINDABLE | F.REC)]
    public void RootPropagationNames(string? value, ulong? flags)
    {
        Assert.Equal(flags, MountFlags.RootPropagation(value));
    }

    [Fact]
    public void UnknownRootPropagationIsAConfigError()
    {
        var e = Assert.Throws<Hull.Abstractions.Errors.ConfigException>(() => MountFlags.RootPropagation("sideways"));
        Assert.Equal("linux.rootfsPropagation", e.JsonPath);
    }

    [Fact]
    public void StatFsFlagsMapToMountFlags()
    {
        // ST_RDONLY|ST_NOSUID|ST_NODEV|ST_NOEXEC|ST_RELATIME
        Assert.Equal(F.RDONLY | F.NOSUID | F.NODEV | F.NOEXEC | F.RELATIME, MountFlags.FromStatFs(1 | 2 | 4 | 8 | 4096));
    }
}

public class MountInfoTests
{
    const string Sample = """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
        23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        50 22 0:40 /sub /mnt/with\040space rw master:3 shared:7 - tmpfs none rw
        51 22 0:41 / /var/lib rw - ext4 /dev/sdb rw
        garbage line
        """;

    [Fact]
    public void ParsesFieldsOptionalFieldsAndEscapes()
    {
        var m = MountInfo.Parse(Sample);
        Assert.Equal(8, m.Count);
        var spaced = m.Single(e => e.Id == 50);
        Assert.Equal("/mnt/with space", spaced.Mountpoint);
        Assert.Equal("/sub", spaced.Root);
        Assert.Equal(["master:3", "shared:7"], spaced.OptionalFields);
        Assert.True(spaced.IsShared);
        Assert.Equal("tmpfs", spaced.FsType);
        Assert.False(m.Single(e => e.Id == 31).IsShared);
        Assert.Equal(["rw", "xattr", "name=systemd"], m.Single(e => e.Id == 40).SuperOptions);
        Assert.Equal(22, m.Single(e => e.Id == 23).ParentId);
    }

    [Theory]
    [InlineData("/var/lib/hull/b/rootfs", "/var/lib")]
    [InlineData("/var/library", "/")]
    [InlineData("/proc/1", "/proc")]
    [InlineData("/", "/")]
    public void MountOfIsTheLongestMountpointPrefix(string path, string mountpoint)
    {
        Assert.Equal(mountpoint, MountInfo.MountOf(MountInfo.Parse(Sample), path)!.Mountpoint);
    }

    [Fact]
    public void CgroupHierarchiesComeFromCgroupMountsTheInitBelongsTo()
    {
        var own = RootfsFacts.ParseProcCgroup("9:name=systemd:/init.scope\n2:cpu,cpuacct:/c1\n0::/\n");
        Assert.Equal("/c1", own["cpu,cpuacct"]);
        Assert.Equal("/", own[""]);
        var h = RootfsFacts.CgroupHierarchiesOf(MountInfo.Parse(Sample), own);
        Assert.Equal(["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/systemd"], h.Select(x => x.Mountpoint));
        Assert.Equal(["cpu", "cpuacct"], h[0].Controllers);
        Assert.Equal(["name=systemd"], h[1].Controllers);
        var facts = new RootfsFacts { Rootfs = "/r", Bundle = "/b", OwnCgroups = own, CgroupHierarchies = h };
        Assert.Equal("/c1", facts.OwnPathIn(h[0]));
        Assert.Equal("/init.scope", facts.OwnPathIn(h[1]));
        // A hierarchy mounted from a sub-root shows the path relative to it.
        Assert.Equal("/", facts.OwnPathIn(new CgroupHierarchy("/m", "/c1", ["cpu"])));
    }

    [Fact]
    public void ReadsThisMachinesMountinfo()
    {
        var m = MountInfo.Parse(File.ReadAllText("/proc/self/mountinfo"));
        Assert.Contains(m, e => e.Mountpoint == "/");
        Assert.Contains(m, e => e.FsType == "proc");
    }
}
