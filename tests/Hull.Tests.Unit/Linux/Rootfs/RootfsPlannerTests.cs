using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Rootfs;
using Xunit;
using F = Hull.Plugins.Linux.Rootfs.MountFlags;

namespace Hull.Tests.Unit.Linux.Rootfs;

/// <summary>Records what the plan asks of the seam, in order.</summary>
sealed class RecordingMountOps : IMountOps
{
    public List<string> Calls { get; } = [];

    public void SetRootPropagation(ulong flags) => Calls.Add($"propagation / {flags:x}");
    public void MakeParentMountPrivate(string rootfs) => Calls.Add($"parent-private {rootfs}");
    public void BindRootfs(string rootfs) => Calls.Add($"bind-rootfs {rootfs}");
    public void Mount(MountStep s) => Calls.Add($"mount {s.Source} {s.Destination} {s.FsType} {s.Flags:x} {s.Data}".TrimEnd());
    public void Remount(string destination, ulong flags) => Calls.Add($"remount {destination} {flags:x}");
    public void MakeDevice(DeviceStep s) => Calls.Add($"{(s.Bind ? "bind-device" : "mknod")} {s.Path} {s.Type} {s.Major}:{s.Minor} {Convert.ToString(s.Mode, 8)} {s.Uid}:{s.Gid}");
    public void Symlink(SymlinkStep s) => Calls.Add($"symlink {s.Link} -> {s.Target}{(s.Replace ? " (replace)" : "")}");
    public void MakeDirectory(string path) => Calls.Add($"mkdir {path}");
    public void MakeReadonly(string path) => Calls.Add($"readonly {path}");
    public void Mask(string path) => Calls.Add($"mask {path}");
    public void BindConsole(int slaveFd) => Calls.Add($"console {slaveFd}");
    public void PivotRoot() => Calls.Add("pivot_root");
    public void MoveRoot() => Calls.Add("move-root");
}

public class RootfsPlannerTests
{
    const string Rootfs = "/b/rootfs";

    // This VM's kind: cgroup v1 hierarchies with cpu and cpuacct co-mounted.
    static RootfsFacts Facts(bool bindDevices = false, bool unified = false) => new()
    {
        Rootfs = Rootfs,
        Bundle = "/b",
        BindDevices = bindDevices,
        HostHasKcore = true,
        CgroupUnified = unified,
        CgroupHierarchies =
        [
            new("/sys/fs/cgroup/cpu,cpuacct", "/", ["cpu", "cpuacct"]),
            new("/sys/fs/cgroup/memory", "/", ["memory"]),
            new("/sys/fs/cgroup/systemd", "/", ["name=systemd"]),
        ],
        OwnCgroups = new Dictionary<string, string> { ["cpu,cpuacct"] = "/c1", ["memory"] = "/c1", ["name=systemd"] = "/", [""] = "/c1" },
    };

    static (List<string> Mounts, List<string> Enter) Run(Spec spec, RootfsFacts? facts = null, bool noPivot = false)
    {
        var plan = RootfsPlanner.Plan(spec, facts ?? Facts(), noPivot);
        var mounts = new RecordingMountOps();
        var enter = new RecordingMountOps();
        foreach (var s in plan.Mounts) s.ApplyTo(mounts);
        foreach (var s in plan.Enter) s.ApplyTo(enter);
        return (mounts.Calls, enter.Calls);
    }

    static Spec WithMounts(params Mount[] mounts) => SpecDefaults.Create(false) with { Mounts = mounts };

    [Fact]
    public void RuncsDefaultSpecIsPlannedInRuncsOrder()
    {
        var (mounts, enter) = Run(SpecDefaults.Create(false));
        Assert.Equal(
        [
            "propagation / 84000",
            "parent-private /b/rootfs",
            "bind-rootfs /b/rootfs",
            "mount proc /proc proc 0",
            "mount tmpfs /dev tmpfs 1000002 mode=755,size=65536k",
            "mount devpts /dev/pts devpts a newinstance,ptmxmode=0666,mode=0620,gid=5",
            "mount shm /dev/shm tmpfs e mode=1777,size=65536k",
            "mount mqueue /dev/mqueue mqueue e",
            "mount sysfs /sys sysfs f",
            // v1: a tmpfs, the container's own cgroup of every hierarchy bound read-only, links for co-mounted ones.
            "mount tmpfs /sys/fs/cgroup tmpfs e mode=755",
            "mount /sys/fs/cgroup/cpu,cpuacct/c1 /sys/fs/cgroup/cpu,cpuacct  5000",
            "mount /sys/fs/cgroup/memory/c1 /sys/fs/cgroup/memory  5000",
            "mount /sys/fs/cgroup/systemd /sys/fs/cgroup/systemd  5000",
            "symlink /sys/fs/cgroup/cpu -> cpu,cpuacct",
            "symlink /sys/fs/cgroup/cpuacct -> cpu,cpuacct",
            "remount /sys/fs/cgroup f",
            "mknod /dev/null c 1:3 666 0:0",
            "mknod /dev/random c 1:8 666 0:0",
            "mknod /dev/full c 1:7 666 0:0",
            "mknod /dev/tty c 5:0 666 0:0",
            "mknod /dev/zero c 1:5 666 0:0",
            "mknod /dev/urandom c 1:9 666 0:0",
            "symlink /dev/ptmx -> pts/ptmx (replace)",
            "symlink /dev/fd -> /proc/self/fd",
            "symlink /dev/stdin -> /proc/self/fd/0",
            "symlink /dev/stdout -> /proc/self/fd/1",
            "symlink /dev/stderr -> /proc/self/fd/2",
            "symlink /dev/core -> /proc/kcore",
        ], mounts);
        Assert.Equal(
        [
            "mkdir /",
            "readonly /proc/bus", "readonly /proc/fs", "readonly /proc/irq", "readonly /proc/sys", "readonly /proc/sysrq-trigger",
            "mask /proc/acpi", "mask /proc/asound", "mask /proc/kcore", "mask /proc/keys", "mask /proc/latency_stats",
            "mask /proc/timer_list", "mask /proc/timer_stats", "mask /proc/sched_debug", "mask /sys/firmware", "mask /proc/scsi",
            "remount / 1",
            "pivot_root",
        ], enter);
    }

    [Fact]
    public void ReadOnlyBindIsABindThenARemount()
    {
        var plan = RootfsPlanner.Plan(WithMounts(new Mount { Destination = "/data", Type = "bind", Source = "/srv/data", Options = ["rbind", "ro", "nosuid", "rprivate"] }), Facts(), false);
        var step = plan.Mounts.OfType<MountStep>().Single();
        Assert.Equal("/srv/data", step.Source);
        Assert.Null(step.FsType);
        Assert.Equal(F.BIND | F.REC, step.Flags);
        Assert.Equal(MountTarget.LikeSource, step.Target);
        Assert.Equal(F.BIND | F.REMOUNT | F.RDONLY | F.NOSUID, step.RemountFlags);
        Assert.Equal([F.PRIVATE | F.REC], step.Propagation);
        Assert.False(step.NoSymlinks);
    }

    [Fact]
    public void PlainBindNeedsNoRemount()
    {
        var step = RootfsPlanner.Plan(WithMounts(new Mount { Destination = "/data", Source = "/srv", Options = ["bind"] }), Facts(), false)
            .Mounts.OfType<MountStep>().Single();
        Assert.Equal(F.BIND, step.Flags);
        Assert.Null(step.RemountFlags);
    }

    [Fact]
    public void RelativeBindSourceIsRelativeToTheBundle()
    {
        var step = RootfsPlanner.Plan(WithMounts(new Mount { Destination = "/x", Type = "bind", Source = "data/../files" }), Facts(), false)
            .Mounts.OfType<MountStep>().Single();
        Assert.Equal("/b/files", step.Source);
    }

    [Fact]
    public void BindWithoutSourceIsAConfigError()
    {
        var e = Assert.Throws<ConfigException>(() => RootfsPlanner.Plan(WithMounts(new Mount { Destination = "/x", Type = "bind" }), Facts(), false));
        Assert.Equal("mounts[0].source", e.JsonPath);
    }

    [Fact]
    public void ReadOnlyTmpfsIsMountedWritableAndRemountedReadOnlyAfterTheHooks()
    {
        var (mounts, enter) = Run(WithMounts(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs", Options = ["ro", "nosuid", "size=1m"] }));
        Assert.Contains("mount tmpfs /tmp tmpfs 2 size=1m", mounts);
        Assert.Equal("remount /tmp 3", enter[^3]);
    }

    [Fact]
    public void ReadOnlyDevIsRemountedAfterDevicesAreMade()
    {
        var (mounts, enter) = Run(WithMounts(new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["ro", "mode=755"] }));
        Assert.Equal("mount tmpfs /dev tmpfs 0 mode=755", mounts[3]);
        Assert.Contains("mknod /dev/null c 1:3 666 0:0", mounts);
        Assert.Contains("remount /dev 1", enter);
    }

    [Fact]
    public void DevBoundFromTheHostGetsNoNodesOrLinks()
    {
        var (mounts, _) = Run(WithMounts(new Mount { Destination = "/dev", Type = "bind", Source = "/dev", Options = ["rbind"] }));
        Assert.DoesNotContain(mounts, c => c.StartsWith("mknod", StringComparison.Ordinal) || c.StartsWith("symlink", StringComparison.Ordinal));
    }

    [Fact]
    public void UserNamespaceBindsTheHostsDeviceNodes()
    {
        var (mounts, _) = Run(WithMounts(), Facts(bindDevices: true));
        Assert.Contains("bind-device /dev/null c 1:3 666 0:0", mounts);
        Assert.DoesNotContain(mounts, c => c.StartsWith("mknod", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigDevicesReplaceDefaultsAndComeAfterThem()
    {
        var spec = WithMounts() with
        {
            Linux = SpecDefaults.Create(false).Linux! with
            {
                Devices =
                [
                    new LinuxDevice { Path = "/dev/null", Type = "c", Major = 1, Minor = 3, FileMode = 0x180, Uid = 1000, Gid = 1000 },
                    new LinuxDevice { Path = "/dev/fuse", Type = "u", Major = 10, Minor = 229 },
                    new LinuxDevice { Path = "/dev/sda", Type = "b", Major = 8, Minor = 0, FileMode = 0x61b0 /* S_IFBLK|0660 */ },
                    new LinuxDevice { Path = "/dev/fifo", Type = "p" },
                ],
            },
        };
        var (mounts, _) = Run(spec);
        var devices = mounts.Where(c => c.StartsWith("mknod", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            "mknod /dev/random c 1:8 666 0:0", "mknod /dev/full c 1:7 666 0:0", "mknod /dev/tty c 5:0 666 0:0",
            "mknod /dev/zero c 1:5 666 0:0", "mknod /dev/urandom c 1:9 666 0:0",
            "mknod /dev/null c 1:3 600 1000:1000", "mknod /dev/fuse c 10:229 666 0:0", "mknod /dev/sda b 8:0 660 0:0",
            "mknod /dev/fifo p 0:0 666 0:0",
        ], devices);
    }

    [Theory]
    [InlineData("x", "type")]
    [InlineData("", "type")]
    public void BadDeviceIsAConfigError(string type, string field)
    {
        var spec = WithMounts() with { Linux = SpecDefaults.Create(false).Linux! with { Devices = [new LinuxDevice { Path = "/dev/x", Type = type }] } };
        var e = Assert.Throws<ConfigException>(() => RootfsPlanner.Plan(spec, Facts(), false));
        Assert.Equal($"linux.devices[0].{field}", e.JsonPath);
    }

    [Fact]
    public void RelativeDevicePathIsAConfigError()
    {
        var spec = WithMounts() with { Linux = SpecDefaults.Create(false).Linux! with { Devices = [new LinuxDevice { Path = "dev/x", Type = "c" }] } };
        Assert.Equal("linux.devices[0].path", Assert.Throws<ConfigException>(() => RootfsPlanner.Plan(spec, Facts(), false)).JsonPath);
    }

    [Theory]
    [InlineData("/proc", "tmpfs", "\"/proc\" cannot be mounted because it is not of type proc")]
    [InlineData("/proc", "bind", "\"/proc\" cannot be mounted because it is not of type proc")]
    [InlineData("/proc/self/attr", "tmpfs", "\"/proc/self/attr\" cannot be mounted because it is inside /proc")]
    [InlineData("/proc/sys/../sys/kernel", "bind", "\"/proc/sys/kernel\" cannot be mounted because it is inside /proc")]
    public void NothingButProcfsCoversProc(string dest, string type, string message)
    {
        var e = Assert.Throws<ConfigException>(() =>
            RootfsPlanner.Plan(WithMounts(new Mount { Destination = dest, Type = type, Source = "/x" }), Facts(), false));
        Assert.Equal("mounts[0].destination: " + message, e.Message);
    }

    [Fact]
    public void LxcfsFilesMayCoverTheirProcEntries()
    {
        var step = RootfsPlanner.Plan(WithMounts(new Mount { Destination = "/proc/meminfo", Type = "bind", Source = "/var/lib/lxcfs/proc/meminfo" }), Facts(), false)
            .Mounts.OfType<MountStep>().Single();
        Assert.True(step.NoSymlinks);
    }

    [Fact]
    public void ProcSysAndDevTargetsNeverGoThroughSymlinks()
    {
        var plan = RootfsPlanner.Plan(SpecDefaults.Create(false) with
        {
            Mounts = [.. SpecDefaults.Create(false).Mounts!, new Mount { Destination = "/etc/resolv.conf", Type = "bind", Source = "/etc/resolv.conf" }],
        }, Facts(), false);
        var steps = plan.Mounts.OfType<MountStep>().ToDictionary(s => s.Destination);
        Assert.All(new[] { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup" }, d => Assert.True(steps[d].NoSymlinks, d));
        // An ordinary file may be a symlink in the image (resolved inside the rootfs).
        Assert.False(steps["/etc/resolv.conf"].NoSymlinks);
    }

    [Fact]
    public void CgroupNamespaceMountsFreshHierarchies()
    {
        var spec = SpecDefaults.Create(false);
        spec = spec with { Linux = spec.Linux! with { Namespaces = [.. spec.Linux.Namespaces!, new LinuxNamespace { Type = "cgroup" }] } };
        var (mounts, _) = Run(spec);
        Assert.Contains("mount cgroup /sys/fs/cgroup/cpu,cpuacct cgroup f cpu,cpuacct", mounts);
        Assert.Contains("mount systemd /sys/fs/cgroup/systemd cgroup f name=systemd", mounts);
    }

    [Fact]
    public void CgroupV2MountsCgroup2AndFallsBackToABind()
    {
        var plan = RootfsPlanner.Plan(SpecDefaults.Create(false), Facts(unified: true), false);
        var cgroup = plan.Mounts.OfType<MountStep>().Single(s => s.Destination == "/sys/fs/cgroup");
        Assert.Equal("cgroup2", cgroup.FsType);
        Assert.Equal(F.NOSUID | F.NOEXEC | F.NODEV | F.RELATIME | F.RDONLY, cgroup.Flags);
        Assert.Equal("/sys/fs/cgroup", cgroup.WhenRefused!.Source);
        Assert.Equal(F.BIND, cgroup.WhenRefused.Flags);
        Assert.NotNull(cgroup.WhenRefused.RemountFlags);
        Assert.DoesNotContain(plan.Mounts, s => s is MountStep { FsType: "tmpfs", Destination: "/sys/fs/cgroup" });
    }

    [Fact]
    public void NoPivotMovesTheRoot()
    {
        var (_, enter) = Run(SpecDefaults.Create(false), noPivot: true);
        Assert.Equal("move-root", enter[^1]);
        Assert.DoesNotContain("pivot_root", enter);
    }

    [Fact]
    public void RootfsPropagationIsSetOnTheHostViewAndAgainOnTheNewRoot()
    {
        var spec = SpecDefaults.Create(false);
        spec = spec with { Linux = spec.Linux! with { RootfsPropagation = "rshared" } };
        var (mounts, enter) = Run(spec);
        Assert.Equal("propagation / 104000", mounts[0]);
        Assert.Equal(["pivot_root", "propagation / 104000"], enter[^2..]);
    }

    [Fact]
    public void WritableRootIsNotRemounted()
    {
        var spec = SpecDefaults.Create(false) with { Root = new Root { Path = "rootfs", Readonly = false } };
        Assert.DoesNotContain("remount / 1", Run(spec).Enter);
    }

    [Fact]
    public void CwdIsCreatedCleanInsideTheContainer()
    {
        var spec = SpecDefaults.Create(false);
        spec = spec with { Process = spec.Process! with { Cwd = "/work/../srv/./app" } };
        Assert.Equal("mkdir /srv/app", Run(spec).Enter[0]);
    }

    [Fact]
    public void WithoutAMountNamespaceNothingIsMounted()
    {
        var spec = SpecDefaults.Create(false);
        spec = spec with { Linux = spec.Linux! with { Namespaces = [new LinuxNamespace { Type = "pid" }] } };
        var e = Assert.Throws<ConfigException>(() => RootfsPlanner.Plan(spec, Facts(), false));
        Assert.Equal("linux.namespaces", e.JsonPath);
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    [InlineData("a/b", "/a/b")]
    [InlineData("/a/./b/", "/a/b")]
    [InlineData("/../../etc", "/etc")]
    [InlineData("/a/../../b", "/b")]
    [InlineData("//a//b", "/a/b")]
    public void CleanKeepsPathsInsideTheRoot(string path, string clean)
    {
        Assert.Equal(clean, RootfsPlanner.Clean(path));
    }
}
