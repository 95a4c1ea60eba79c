using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using OciLinux = Hull.Abstractions.Oci.Linux;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Criu.Mapping;
using Hull.Plugins.Criu.Rpc;
using Xunit;

namespace Hull.Tests.Unit.Criu;

public class CriuOptionsMapperTests
{
    const uint CloneNewNet = 0x40000000;
    readonly FakeHost host = new();

    DumpPlan Dump(CheckpointRequest request, CheckpointTarget? target = null) =>
        CriuOptionsMapper.ForDump(target ?? Targets.Plain(), request, host);

    RestorePlan Restore(RestoreRequest request, CheckpointTarget? target = null, IReadOnlyList<string>? descriptors = null) =>
        CriuOptionsMapper.ForRestore(target ?? Targets.Plain(), request, "/run/hull/c1/criu-root", descriptors ?? ["/dev/null", "/dev/null", "/dev/null"], host);

    static Dictionary<string, string> ExtMounts(criu_opts opts) => opts.ExtMnt.ToDictionary(m => m.Key, m => m.Val);

    [Fact]
    public void DumpCarriesRuncsFixedOptions()
    {
        var plan = Dump(new CheckpointRequest("c1"));
        var o = plan.Options;

        Assert.Equal(criu_req_type.Dump, plan.Type);
        Assert.Equal(1234, o.Pid);
        Assert.Equal("/bundles/c1/rootfs", o.Root);
        Assert.Equal(4, o.LogLevel);
        Assert.Equal("dump.log", o.LogFile);
        Assert.True(o.ManageCgroups);
        Assert.Equal(criu_cg_mode.Default, o.ManageCgroupsMode);
        Assert.True(o.NotifyScripts);
        Assert.True(o.OrphanPtsMaster);
        Assert.Equal("/etc/criu/runc.conf", o.ConfigFile);
        Assert.False(o.HasImagesDirFd, "the checkpointer sets the fds it opens");
        Assert.False(o.HasWorkDirFd);
        Assert.False(plan.NeedsMemoryTracking);
        Assert.False(plan.NeedsLazyPages);
        foreach (var off in new[] { o.LeaveRunning, o.TcpEstablished, o.ExtUnixSk, o.ShellJob, o.FileLocks, o.AutoDedup, o.LazyPages, o.TrackMem })
            Assert.False(off);
        Assert.Null(o.Ps);
        Assert.False(o.HasParentImg);
        Assert.False(o.HasFreezeCgroup);
    }

    [Fact]
    public void EveryCheckpointFlagMapsToItsCriuOption()
    {
        var o = Dump(new CheckpointRequest("c1")
        {
            LeaveRunning = true, TcpEstablished = true, ExternalUnixSockets = true, ShellJob = true,
            FileLocks = true, AutoDedup = true, LazyPages = true,
        }).Options;

        Assert.True(o.LeaveRunning);
        Assert.True(o.TcpEstablished);
        Assert.True(o.ExtUnixSk);
        Assert.True(o.ShellJob);
        Assert.True(o.FileLocks);
        Assert.True(o.AutoDedup);
        Assert.True(o.LazyPages);
    }

    [Theory]
    [InlineData(CgroupsMode.Soft, "Soft")]
    [InlineData(CgroupsMode.Full, "Full")]
    [InlineData(CgroupsMode.Strict, "Strict")]
    [InlineData(CgroupsMode.Ignore, "Ignore")]
    public void ManageCgroupsModeMapsOnBothSides(CgroupsMode mode, string criuMode)
    {
        var expected = Enum.Parse<criu_cg_mode>(criuMode);
        Assert.Equal(expected, Dump(new CheckpointRequest("c1") { ManageCgroupsMode = mode }).Options.ManageCgroupsMode);
        Assert.Equal(expected, Restore(new RestoreRequest("c1", "/b") { ManageCgroupsMode = mode }).Options.ManageCgroupsMode);
    }

    [Fact]
    public void LazyMigrationAsksForTheFeatureAndThePageServer()
    {
        var plan = Dump(new CheckpointRequest("c1") { LazyPages = true, PageServer = "192.0.2.7:27", StatusFd = 9 });
        Assert.True(plan.NeedsLazyPages);
        Assert.Equal("192.0.2.7", plan.Options.Ps.Address);
        Assert.Equal(27, plan.Options.Ps.Port);
        // The status fd is answered through the "status-ready" notification, not handed to CRIU.
        Assert.False(plan.Options.HasStatusFd);
    }

    [Theory]
    [InlineData("127.0.0.1:27", "127.0.0.1", 27)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("host.example:1", "host.example", 1)]
    public void PageServerAddressesParse(string value, string address, int port)
    {
        var ps = CriuOptionsMapper.ParsePageServer(value);
        Assert.Equal(address, ps.Address);
        Assert.Equal(port, ps.Port);
    }

    [Theory]
    [InlineData("127.0.0.1", "use ADDRESS:PORT")]
    [InlineData(":27", "use ADDRESS:PORT")]
    [InlineData("127.0.0.1:", "use ADDRESS:PORT")]
    [InlineData("127.0.0.1:http", "the port must be a number from 1 to 65535")]
    [InlineData("127.0.0.1:70000", "the port must be a number from 1 to 65535")]
    public void BadPageServerIsAUsageError(string value, string expected)
    {
        var e = Assert.Throws<UsageException>(() => Dump(new CheckpointRequest("c1") { PageServer = value }));
        Assert.StartsWith($"--page-server {value}: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void PreDumpIsItsOwnRequestTypeNeedsDirtyTrackingAndSkipsMounts()
    {
        var config = new Spec { Mounts = [new Mount { Destination = "/data", Type = "bind", Source = "/srv/data" }] };
        var plan = Dump(new CheckpointRequest("c1") { PreDump = true }, Targets.Plain(config));
        Assert.Equal(criu_req_type.PreDump, plan.Type);
        Assert.True(plan.NeedsMemoryTracking);
        Assert.Empty(plan.Options.ExtMnt);
    }

    [Fact]
    public void ParentPathTracksMemoryAgainstTheParent()
    {
        var plan = Dump(new CheckpointRequest("c1") { ParentPath = "../pre1" });
        Assert.Equal("../pre1", plan.Options.ParentImg);
        Assert.True(plan.Options.TrackMem);
        Assert.True(plan.NeedsMemoryTracking);
        Assert.Equal(criu_req_type.Dump, plan.Type);
    }

    [Fact]
    public void ANewNetworkNamespaceIsEmptyByDefault()
    {
        Assert.Equal(CloneNewNet, Dump(new CheckpointRequest("c1")).Options.EmptyNs);
        Assert.Equal(CloneNewNet, Restore(new RestoreRequest("c1", "/b")).Options.EmptyNs);
    }

    [Fact]
    public void TheHostNetworkIsNotMadeEmpty()
    {
        var hostNetwork = Targets.Plain(namespaces: [new("pid", null), new("mount", null)]);
        Assert.Equal(0u, Dump(new CheckpointRequest("c1"), hostNetwork).Options.EmptyNs);
        Assert.Equal(CloneNewNet, Dump(new CheckpointRequest("c1") { EmptyNamespaces = ["network"] }, hostNetwork).Options.EmptyNs);
    }

    [Fact]
    public void OnlyTheNetworkNamespaceCanBeEmpty()
    {
        var e = Assert.Throws<UsageException>(() => Dump(new CheckpointRequest("c1") { EmptyNamespaces = ["pid"] }));
        Assert.Equal("--empty-ns pid: CRIU can leave only the network namespace empty (--empty-ns network)", e.Message);
        Assert.Throws<UsageException>(() => Restore(new RestoreRequest("c1", "/b") { EmptyNamespaces = ["ipc"] }));
    }

    [Fact]
    public void NamespacesJoinedByPathAreExternalOnDumpAndHandedBackOnRestore()
    {
        var target = Targets.Plain(namespaces:
        [
            new("network", "/var/run/netns/blue"), new("pid", "/proc/77/ns/pid"),
            new("ipc", "/proc/77/ns/ipc"), new("uts", "/proc/77/ns/uts"), new("mount", null), new("user", "/proc/77/ns/user"),
        ]);
        host.Inodes["/var/run/netns/blue"] = 4026532001;
        host.Inodes["/proc/77/ns/pid"] = 4026532002;

        var dump = Dump(new CheckpointRequest("c1"), target).Options;
        Assert.Equal(["net[4026532001]:extRootNetNS", "pid[4026532002]:extRootPidNS"], dump.External);
        Assert.Equal(0u, dump.EmptyNs);

        var restore = Restore(new RestoreRequest("c1", "/b"), target);
        Assert.Equal(["/var/run/netns/blue", "/proc/77/ns/pid"], restore.InheritedNamespaceFiles);
        Assert.Equal([("extRootNetNS", 4), ("extRootPidNS", 5)], restore.Options.InheritFd.Select(i => (i.Key, i.Fd)));
        Assert.Equal([("ipc", "/proc/77/ns/ipc"), ("uts", "/proc/77/ns/uts"), ("user", "/proc/77/ns/user")],
            restore.Options.JoinNs.Select(j => (j.Ns, j.NsFile)));
    }

    [Fact]
    public void AJoinedCgroupNamespaceIsRefusedBeforeCriuRuns()
    {
        var target = Targets.Plain(namespaces: [new("cgroup", "/proc/9/ns/cgroup")]);
        var e = Assert.Throws<HullException>(() => Dump(new CheckpointRequest("c1"), target));
        Assert.Contains("cgroup namespace /proc/9/ns/cgroup", e.Message);
        Assert.Throws<HullException>(() => Restore(new RestoreRequest("c1", "/b"), target));
    }

    [Fact]
    public void TheFreezerCgroupFreezesTheTreeOnV1AndV2()
    {
        var v1 = Targets.Plain(cgroups: new Dictionary<string, string> { ["freezer"] = "/sys/fs/cgroup/freezer/hull/c1", ["cpu"] = "/sys/fs/cgroup/cpu/hull/c1" });
        Assert.Equal("/sys/fs/cgroup/freezer/hull/c1", Dump(new CheckpointRequest("c1"), v1).Options.FreezeCgroup);
        var v2 = Targets.Plain(cgroups: new Dictionary<string, string> { [""] = "/sys/fs/cgroup/hull/c1" });
        Assert.Equal("/sys/fs/cgroup/hull/c1", Dump(new CheckpointRequest("c1"), v2).Options.FreezeCgroup);
    }

    [Fact]
    public void HostBindMountsAreExternalOnDumpAndMappedBackOnRestore()
    {
        var config = new Spec
        {
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount { Destination = "/data", Type = "bind", Source = "/srv/data" },
                new Mount { Destination = "/etc/hosts", Type = "none", Source = "hosts", Options = ["rbind", "ro"] },
                new Mount { Destination = "/link/cfg", Source = "/etc/app", Options = ["bind"] },
                new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" },
            ],
        };
        // /link is a symlink to /opt inside the rootfs: the mount was made at /opt/cfg.
        host.Resolved["/link/cfg"] = "/opt/cfg";
        var target = Targets.Plain(config) with { ExtraBindMounts = [new HostBindMount("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu/hull/c1")] };

        var dump = ExtMounts(Dump(new CheckpointRequest("c1"), target).Options);
        Assert.Equal("/data", dump["/data"]);
        Assert.Equal("/etc/hosts", dump["/etc/hosts"]);
        Assert.Equal("/opt/cfg", dump["/opt/cfg"]);
        Assert.Equal("/sys/fs/cgroup/cpu", dump["/sys/fs/cgroup/cpu"]);
        Assert.False(dump.ContainsKey("/proc"));
        Assert.False(dump.ContainsKey("/tmp"));

        var restore = ExtMounts(Restore(new RestoreRequest("c1", "/b"), target).Options);
        Assert.Equal("/srv/data", restore["/data"]);
        Assert.Equal("/bundles/c1/hosts", restore["/etc/hosts"]);
        Assert.Equal("/etc/app", restore["/opt/cfg"]);
        Assert.Equal("/sys/fs/cgroup/cpu/hull/c1", restore["/sys/fs/cgroup/cpu"]);
    }

    [Fact]
    public void DeviceNodesAreExternalMountsToThemselves()
    {
        var config = new Spec { Linux = new OciLinux { Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }] } };
        var dump = ExtMounts(Dump(new CheckpointRequest("c1"), Targets.Plain(config)).Options);
        var restore = ExtMounts(Restore(new RestoreRequest("c1", "/b"), Targets.Plain(config)).Options);
        foreach (var device in new[] { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/fuse" })
        {
            Assert.Equal(device, dump[device]);
            Assert.Equal(device, restore[device]);
        }
    }

    [Fact]
    public void MaskedFilesAreDevNullMountsAndMaskedDirectoriesAreNot()
    {
        var config = new Spec { Linux = new OciLinux { MaskedPaths = ["/proc/kcore", "/proc/acpi", "/proc/missing"] } };
        host.FilesInContainer.Add("/proc/kcore");

        var dump = ExtMounts(Dump(new CheckpointRequest("c1"), Targets.Plain(config)).Options);
        Assert.Equal("/dev/null", dump["/proc/kcore"]);
        Assert.False(dump.ContainsKey("/proc/acpi"));
        Assert.False(dump.ContainsKey("/proc/missing"));

        var restore = ExtMounts(Restore(new RestoreRequest("c1", "/b"), Targets.Plain(config)).Options);
        Assert.Equal("/dev/null", restore["/dev/null"]);
    }

    [Fact]
    public void EachExternalMountIsDeclaredOnce()
    {
        var config = new Spec { Mounts = [new Mount { Destination = "/dev/null", Type = "bind", Source = "/dev/null" }] };
        var keys = Dump(new CheckpointRequest("c1"), Targets.Plain(config)).Options.ExtMnt.Select(m => m.Key).ToList();
        Assert.Equal(keys.Distinct().Count(), keys.Count);
    }

    [Fact]
    public void TheCriuConfigAnnotationChoosesTheConfigFile()
    {
        var custom = new Spec { Annotations = new Dictionary<string, string> { ["org.criu.config"] = "/etc/criu/mine.conf" } };
        Assert.Equal("/etc/criu/mine.conf", Dump(new CheckpointRequest("c1"), Targets.Plain(custom)).Options.ConfigFile);
        var none = new Spec { Annotations = new Dictionary<string, string> { ["org.criu.config"] = "" } };
        Assert.False(Dump(new CheckpointRequest("c1"), Targets.Plain(none)).Options.HasConfigFile);
        Assert.False(Restore(new RestoreRequest("c1", "/b"), Targets.Plain(none)).Options.HasConfigFile);
    }

    [Fact]
    public void RestoreCarriesRuncsFixedOptions()
    {
        var o = Restore(new RestoreRequest("c1", "/b")).Options;
        Assert.Equal("/run/hull/c1/criu-root", o.Root);
        Assert.Equal("restore.log", o.LogFile);
        Assert.Equal(4, o.LogLevel);
        Assert.True(o.RstSibling);
        Assert.True(o.EvasiveDevices);
        Assert.True(o.ManageCgroups);
        Assert.True(o.NotifyScripts);
        Assert.True(o.OrphanPtsMaster);
        Assert.False(o.HasPid);
        Assert.False(o.LeaveRunning);
        Assert.False(o.HasLsmProfile);
        Assert.False(o.HasLsmMountContext);
    }

    [Fact]
    public void LsmFlagsOfRestoreReachCriu()
    {
        var o = Restore(new RestoreRequest("c1", "/b") { LsmProfile = "apparmor:hull-default", LsmMountContext = "system_u:object_r:container_file_t:s0" }).Options;
        Assert.Equal("apparmor:hull-default", o.LsmProfile);
        Assert.Equal("system_u:object_r:container_file_t:s0", o.LsmMountContext);
    }

    [Fact]
    public void EveryRestoreFlagMapsToItsCriuOption()
    {
        var o = Restore(new RestoreRequest("c1", "/b")
        {
            TcpEstablished = true, ExternalUnixSockets = true, ShellJob = true, FileLocks = true, AutoDedup = true, LazyPages = true,
        }).Options;
        Assert.True(o.TcpEstablished);
        Assert.True(o.ExtUnixSk);
        Assert.True(o.ShellJob);
        Assert.True(o.FileLocks);
        Assert.True(o.AutoDedup);
        Assert.True(o.LazyPages);
    }

    [Fact]
    public void StdioPipesOfTheCheckpointAreInheritedFromOurStdio()
    {
        var o = Restore(new RestoreRequest("c1", "/b"), descriptors: ["/dev/null", "pipe:[2001]", "pipe:[2002]"]).Options;
        Assert.Equal([("pipe:[2001]", 1), ("pipe:[2002]", 2)], o.InheritFd.Select(i => (i.Key, i.Fd)));
    }

    [Fact]
    public void CgroupRootsComeFromCriusOwnCgroups()
    {
        var roots = CriuOptionsMapper.CgroupRoots(
        [
            new("cpu,cpuacct", "/hull/c2"), new("name=systemd", "/hull/c2"), new("", "/hull/c2"),
        ]).ToList();
        Assert.Equal(["cpu,cpuacct", "name=systemd"], roots.Where(r => r.HasCtrl).Select(r => r.Ctrl));
        Assert.False(roots[2].HasCtrl);
        Assert.All(roots, r => Assert.Equal("/hull/c2", r.Path));
    }
}
