using System.Text.Json;
using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Cgroups.V1;
using Hull.Plugins.Linux.Interop;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

public sealed class V1ManagerTests : IDisposable
{
    readonly FakeCgroupFs fs;
    readonly CgroupHost host;

    public V1ManagerTests() => (fs, host) = FakeHosts.Hybrid(ownMemory: "/process_api/707b");

    public void Dispose() => fs.Dispose();

    ICgroupManager Create(LinuxResources? resources = null, string? path = null, bool rootless = false) =>
        CgroupManagers.Create(new CgroupConfig { Name = "c1", Path = path, Resources = resources, Rootless = rootless }, host, fs);

    ICgroupManager Applied(LinuxResources? resources = null)
    {
        var m = Create(resources);
        m.Apply(4242);
        return m;
    }

    [Fact]
    public void PathsCoverEveryHierarchyAndTheUnifiedOneLikeRunc()
    {
        var m = Create();
        Assert.Equal(fs.Abs("memory/process_api/707b/c1"), m.Paths["memory"]);
        Assert.Equal(fs.Abs("cpu/c1"), m.Paths["cpu"]);
        Assert.Equal(fs.Abs("systemd/c1"), m.Paths["name=systemd"]);
        Assert.Equal(fs.Abs("unified/c1"), m.Paths[""]);
        Assert.Equal(10, m.Paths.Count);
        Assert.False(Directory.Exists(fs.Abs("cpu/c1"))); // nothing made before Apply
    }

    [Fact]
    public void ApplyCreatesEveryCgroupAndPutsThePidInEach()
    {
        var m = Applied();
        foreach (var dir in m.Paths.Values)
            Assert.Equal("4242", File.ReadAllText(Path.Combine(dir, "cgroup.procs")));
        Assert.True(m.Exists());
    }

    [Fact]
    public void ANewCpusetCgroupGetsItsParentsCpusAndMemsBeforeThePidJoins()
    {
        var m = Create(path: "/a/b");
        m.Apply(1);
        Assert.Equal("0-1", fs.Content("cpuset/a/cpuset.cpus").Trim());
        Assert.Equal("0-1", fs.Content("cpuset/a/b/cpuset.cpus").Trim());
        Assert.Equal("0", fs.Content("cpuset/a/b/cpuset.mems").Trim());
        var writes = fs.Writes.Select(w => w.Path).ToList();
        Assert.True(writes.IndexOf("cpuset/a/b/cpuset.mems") < writes.IndexOf("cpuset/a/b/cgroup.procs"));
    }

    [Fact]
    public void RealtimeBandwidthIsSetBeforeThePidJoinsTheCpuCgroup()
    {
        Applied(new LinuxResources { Cpu = new LinuxCpu { RealtimeRuntime = 5000, RealtimePeriod = 100000 } });
        var writes = fs.Writes.Select(w => w.Path).ToList();
        Assert.True(writes.IndexOf("cpu/c1/cpu.rt_runtime_us") < writes.IndexOf("cpu/c1/cgroup.procs"));
        Assert.Equal("5000", fs.Content("cpu/c1/cpu.rt_runtime_us"));
    }

    [Fact]
    public void AFailedApplySaysWhereAndDestroyAfterTheKillLeavesNothing()
    {
        fs.FailOn("pids/c1", CgroupNative.ENOSPC);
        var m = Create();
        var e = Assert.Throws<CgroupException>(() => m.Apply(7));
        Assert.Contains("pids cgroup", e.Message);
        Assert.Contains("No space left on device", e.Message);
        // The pid already joined the earlier hierarchies, so those cannot go until the caller kills it.
        foreach (var dir in m.Paths.Values.Where(Directory.Exists)) File.WriteAllText(Path.Combine(dir, "cgroup.procs"), "");
        m.Destroy();
        foreach (var h in new[] { "cpu", "cpuset", "memory/process_api/707b", "devices", "freezer", "blkio", "pids", "systemd", "unified" })
            Assert.False(Directory.Exists(fs.Abs(h + "/c1")), h);
    }

    [Fact]
    public void AFailedApplyRemovesTheDirectoriesNoProcessJoined()
    {
        fs.FailOn("cpu/c1/cgroup.procs", CgroupNative.EPERM); // the first hierarchy: nothing joined yet
        Assert.Throws<CgroupException>(() => Create().Apply(7));
        Assert.False(Directory.Exists(fs.Abs("cpu/c1")));
    }

    [Fact]
    public void RootlessWithoutCgroupsPathDropsHierarchiesItMayNotWrite()
    {
        fs.FailOn("memory/process_api/707b/c1", CgroupNative.EACCES);
        var m = Create(rootless: true);
        m.Apply(7);
        Assert.False(m.Paths.ContainsKey("memory"));
        Assert.True(m.Paths.ContainsKey("cpu"));
        // ...but a limit that needs the dropped hierarchy is a clear error.
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20 } }));
        Assert.Contains("linux.resources.memory", e.Message);
        Assert.Contains("rootless", e.Message);
    }

    [Fact]
    public void RootlessWithAnExplicitCgroupsPathFailsOnPermission()
    {
        fs.FailOn("memory/mine", CgroupNative.EACCES);
        var e = Assert.Throws<CgroupException>(() => Create(path: "/mine", rootless: true).Apply(7));
        Assert.Contains("Permission denied", e.Message);
    }

    [Fact]
    public void AddProcessJoinsEveryExistingCgroup()
    {
        var m = Applied();
        m.AddProcess(99);
        Assert.Equal("99", fs.Content("freezer/c1/cgroup.procs"));
        Assert.Equal("99", fs.Content("unified/c1/cgroup.procs"));
    }

    // ---- Set: every v1 file ----

    [Fact]
    public void MemoryLimitReservationSwapSwappinessOomAndKernelTcpGoToTheirFiles()
    {
        var m = Applied();
        m.Set(new LinuxResources
        {
            Memory = new LinuxMemory
            {
                Limit = 100 << 20, Reservation = 50 << 20, Swap = 200 << 20, Swappiness = 10, DisableOomKiller = true,
                KernelTcp = 1 << 20, Kernel = 8 << 20,
            },
        });
        var d = "memory/process_api/707b/c1/";
        Assert.Equal("104857600", fs.Content(d + "memory.limit_in_bytes"));
        Assert.Equal("209715200", fs.Content(d + "memory.memsw.limit_in_bytes"));
        Assert.Equal("52428800", fs.Content(d + "memory.soft_limit_in_bytes"));
        Assert.Equal("10", fs.Content(d + "memory.swappiness"));
        Assert.Equal("1", fs.Content(d + "memory.oom_control"));
        Assert.Equal("1048576", fs.Content(d + "memory.kmem.tcp.limit_in_bytes"));
        Assert.Equal("8388608", fs.Content(d + "memory.kmem.limit_in_bytes"));
    }

    [Fact]
    public void MemoryAndSwapAreWrittenInTheOrderTheKernelAccepts()
    {
        var m = Applied();
        var d = "memory/process_api/707b/c1/";
        // Current limit is unlimited (huge) and the new swap is smaller: memory first, then memsw.
        m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 100 << 20, Swap = 200 << 20 } });
        Assert.Equal([d + "memory.limit_in_bytes", d + "memory.memsw.limit_in_bytes"],
            fs.Writes.Where(w => w.Path.StartsWith(d + "memory.", StringComparison.Ordinal)).Select(w => w.Path));
        fs.Writes.Clear();
        // Growing beyond the current limit: memsw first.
        m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 300 << 20, Swap = 400 << 20 } });
        Assert.Equal([d + "memory.memsw.limit_in_bytes", d + "memory.limit_in_bytes"], fs.Writes.Select(w => w.Path));
        fs.Writes.Clear();
        // Unlimited memory, swap unset: swap becomes unlimited too, and goes first.
        m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } });
        Assert.Equal([(d + "memory.memsw.limit_in_bytes", "-1"), (d + "memory.limit_in_bytes", "-1")], fs.Writes);
    }

    [Fact]
    public void AMemoryLimitBelowUsageSaysSo()
    {
        var m = Applied();
        fs.FailOn("memory/process_api/707b/c1/memory.limit_in_bytes", CgroupNative.EBUSY);
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 4096 } }));
        Assert.Contains("below the container's current memory usage (565248 bytes", e.Message);
    }

    [Fact]
    public void SwappinessAbove100IsRefusedAndMinusOneIsUnset()
    {
        var m = Applied();
        Assert.Contains("0-100", Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Memory = new LinuxMemory { Swappiness = 101 } })).Message);
        m.Set(new LinuxResources { Memory = new LinuxMemory { Swappiness = ulong.MaxValue } });
        Assert.Equal("60", fs.Content("memory/process_api/707b/c1/memory.swappiness"));
    }

    [Fact]
    public void CpuSharesQuotaPeriodBurstIdleAndRealtimeGoToTheirFiles()
    {
        var m = Applied();
        m.Set(new LinuxResources
        {
            Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 200000, Burst = 1000, Idle = 1, RealtimeRuntime = 1000, RealtimePeriod = 500000 },
        });
        Assert.Equal("512", fs.Content("cpu/c1/cpu.shares"));
        Assert.Equal("50000", fs.Content("cpu/c1/cpu.cfs_quota_us"));
        Assert.Equal("200000", fs.Content("cpu/c1/cpu.cfs_period_us"));
        Assert.Equal("1000", fs.Content("cpu/c1/cpu.cfs_burst_us"));
        Assert.Equal("1", fs.Content("cpu/c1/cpu.idle"));
        Assert.Equal("1000", fs.Content("cpu/c1/cpu.rt_runtime_us"));
        Assert.Equal("500000", fs.Content("cpu/c1/cpu.rt_period_us"));
    }

    [Fact]
    public void ARefusedShorterPeriodIsRetriedAfterTheQuota()
    {
        var m = Applied();
        fs.FailOn("cpu/c1/cpu.cfs_period_us", CgroupNative.EINVAL);
        m.Set(new LinuxResources { Cpu = new LinuxCpu { Quota = 1000, Period = 10000 } });
        Assert.Equal(["cpu/c1/cpu.cfs_quota_us", "cpu/c1/cpu.cfs_period_us"], fs.Writes.Where(w => w.Path.StartsWith("cpu/c1/cpu.", StringComparison.Ordinal)).Select(w => w.Path));
        Assert.Equal("10000", fs.Content("cpu/c1/cpu.cfs_period_us"));
    }

    [Fact]
    public void SharesTheKernelClampsAreReportedNotIgnored()
    {
        var m = Applied();
        fs.Store = (path, value) => path == "cpu/c1/cpu.shares" && value == "1" ? "2" : value;
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Cpu = new LinuxCpu { Shares = 1 } }));
        Assert.Contains("minimum allowed cpu-shares is 2", e.Message);
    }

    [Fact]
    public void CpusetPidsAndBlockIOGoToTheirFiles()
    {
        var m = Applied();
        m.Set(new LinuxResources
        {
            Cpu = new LinuxCpu { Cpus = "1", Mems = "0" },
            Pids = new LinuxPids { Limit = 20 },
            BlockIO = new LinuxBlockIO
            {
                Weight = 300,
                WeightDevice = [new LinuxWeightDevice { Major = 254, Minor = 0, Weight = 500 }],
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 1048576 }],
                ThrottleWriteBpsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 2097152 }],
                ThrottleReadIopsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 100 }],
                ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 200 }],
            },
        });
        Assert.Equal("1", fs.Content("cpuset/c1/cpuset.cpus"));
        Assert.Equal("0", fs.Content("cpuset/c1/cpuset.mems"));
        Assert.Equal("20", fs.Content("pids/c1/pids.max"));
        // This kernel has only BFQ's weight files.
        Assert.Equal("300", fs.Content("blkio/c1/blkio.bfq.weight"));
        Assert.Equal("254:0 500", fs.Content("blkio/c1/blkio.bfq.weight_device"));
        Assert.Equal("254:0 1048576", fs.Content("blkio/c1/blkio.throttle.read_bps_device"));
        Assert.Equal("254:0 2097152", fs.Content("blkio/c1/blkio.throttle.write_bps_device"));
        Assert.Equal("254:0 100", fs.Content("blkio/c1/blkio.throttle.read_iops_device"));
        Assert.Equal("254:0 200", fs.Content("blkio/c1/blkio.throttle.write_iops_device"));
    }

    [Fact]
    public void LeafWeightOnAKernelWithoutCfqIsAClearError()
    {
        var m = Applied();
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { BlockIO = new LinuxBlockIO { LeafWeight = 300 } }));
        Assert.Contains("linux.resources.blockIO.leafWeight", e.Message);
        Assert.Contains("has no blkio.leaf_weight", e.Message);
    }

    [Theory]
    [InlineData(-1, "max")]
    [InlineData(5, "5")]
    public void PidsLimitNegativeIsMax(long limit, string expected)
    {
        var m = Applied();
        m.Set(new LinuxResources { Pids = new LinuxPids { Limit = limit } });
        Assert.Equal(expected, fs.Content("pids/c1/pids.max"));
    }

    [Fact]
    public void DeviceRulesStartFromDenyAllAndFollowTheConfigOrder()
    {
        var m = Applied();
        m.Set(new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 3, Access = "w" },
                new LinuxDeviceCgroup { Allow = true, Type = "b", Major = 8, Access = "r" },
            ],
        });
        Assert.Equal(
            [("devices/c1/devices.deny", "a *:* rwm"), ("devices/c1/devices.allow", "c 1:3 rwm"), ("devices/c1/devices.deny", "c 1:3 w"), ("devices/c1/devices.allow", "b 8:* r")],
            fs.Writes.Where(w => w.Path.StartsWith("devices/c1/devices.", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheConfigsOwnResetRuleIsNotDoubled()
    {
        var m = Applied();
        m.Set(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rw" }] });
        Assert.Equal(["a *:* rwm", "c 1:5 rw"], fs.Writes.Where(w => w.Path.StartsWith("devices/c1/devices.", StringComparison.Ordinal)).Select(w => w.Value));
    }

    [Fact]
    public void NullDevicesLeaveTheRulesAlone()
    {
        var m = Applied();
        m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 3 } });
        Assert.DoesNotContain(fs.Writes, w => w.Path.StartsWith("devices/c1/devices.", StringComparison.Ordinal));
    }

    [Fact]
    public void HugetlbOnAHybridHostGoesToTheUnifiedHierarchy()
    {
        var m = Applied();
        m.Set(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 4194304 }] });
        Assert.Equal(["+hugetlb"], fs.WritesTo("unified/cgroup.subtree_control"));
        Assert.Equal("4194304", fs.Content("unified/c1/hugetlb.2MB.max"));
    }

    [Fact]
    public void AResourceWhoseControllerIsNotMountedIsAnErrorNamingIt()
    {
        var m = Applied();
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Network = new LinuxNetwork { ClassId = 0x100001 } }));
        Assert.Equal("cannot apply linux.resources.network.classID: the net_cls cgroup controller is not mounted on this host", e.Message);
        e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Network = new LinuxNetwork { Priorities = [new LinuxInterfacePriority { Name = "eth0", Priority = 5 }] } }));
        Assert.Contains("net_prio", e.Message);
        e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Rdma = new Dictionary<string, LinuxRdma> { ["mlx5_0"] = new() { HcaHandles = 2 } } }));
        Assert.Contains("linux.resources.rdma", e.Message);
    }

    [Fact]
    public void DefaultsNeedNoController()
    {
        // Without a net_cls hierarchy, asking for nothing is fine.
        var m = Applied();
        m.Set(new LinuxResources { Network = new LinuxNetwork { ClassId = 0, Priorities = [] }, Memory = new LinuxMemory { Swappiness = ulong.MaxValue } });
    }

    [Fact]
    public void UnifiedOnV1IsRefused()
    {
        var m = Applied();
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Unified = new Dictionary<string, string> { ["memory.high"] = "1G" } }));
        Assert.Contains("linux.resources.unified", e.Message);
        Assert.Contains("cgroup v2", e.Message);
    }

    [Fact]
    public void AFileThisKernelLacksIsAnErrorNamingTheResource()
    {
        var m = Applied();
        File.Delete(fs.Abs("cpu/c1/cpu.cfs_burst_us"));
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Cpu = new LinuxCpu { Burst = 10 } }));
        Assert.StartsWith("cannot apply linux.resources.cpu.burst: this host's kernel has no cpu.cfs_burst_us", e.Message);
    }

    [Fact]
    public void RdmaTextHasOnlyTheGivenLimits()
    {
        Assert.Equal("mlx5_0 hca_handle=2 hca_object=100", ResourceWriter.RdmaLine("mlx5_0", new LinuxRdma { HcaHandles = 2, HcaObjects = 100 }));
        Assert.Equal("mlx5_0 hca_object=100", ResourceWriter.RdmaLine("mlx5_0", new LinuxRdma { HcaObjects = 100 }));
    }

    // ---- freezer ----

    [Fact]
    public void FreezeRetriesThroughFreezingUntilFrozen()
    {
        var m = Applied();
        var reads = 0;
        fs.OnRead = (path, content) => path == "freezer/c1/freezer.state" && content.Trim() == "FROZEN" && ++reads < 3 ? "FREEZING\n" : content;
        m.Freeze();
        Assert.Equal(3, reads);
        Assert.Equal(["FROZEN", "FROZEN", "FROZEN"], fs.WritesTo("freezer/c1/freezer.state"));
        fs.OnRead = null;
        fs.Put("freezer/c1/freezer.self_freezing", "1\n");
        Assert.Equal(FreezerState.Frozen, m.GetFreezerState());
        m.Thaw();
        Assert.Equal("THAWED", fs.Content("freezer/c1/freezer.state"));
        Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
    }

    [Fact]
    public void AFreezerStuckInFreezingThawsPeriodicallyThenGivesUpThawed()
    {
        var m = Applied();
        var dir = m.Paths["freezer"];
        fs.OnRead = (path, content) => path == "freezer/c1/freezer.state" ? "FREEZING\n" : content;
        var slept = TimeSpan.Zero;
        var e = Assert.Throws<CgroupException>(() => V1Freezer.Freeze(fs, dir, t => slept += t));
        Assert.Contains("unable to freeze", e.Message);
        var writes = fs.WritesTo("freezer/c1/freezer.state");
        Assert.Equal(1000 + 20 + 1, writes.Count); // 1000 attempts, a thaw every 50th, and the final thaw
        Assert.Equal("THAWED", writes[^1]);
        Assert.Equal("THAWED", writes[49]);
        Assert.True(slept >= TimeSpan.FromSeconds(15)); // 1 + 2 + 4 + 8 s of back-off on a slow machine
    }

    [Fact]
    public void FrozenOnlyThroughAnAncestorIsThawed()
    {
        var m = Applied();
        fs.Put("freezer/c1/freezer.state", "FROZEN\n");
        fs.Put("freezer/c1/freezer.self_freezing", "0\n");
        Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
    }

    // ---- pids, kill, destroy ----

    [Fact]
    public void GetPidsWalksSubCgroups()
    {
        var m = Applied();
        Directory.CreateDirectory(fs.Abs("pids/c1/sub"));
        fs.Put("pids/c1/sub/cgroup.procs", "10\n11\n");
        Assert.Equal([4242, 10, 11], m.GetPids());
    }

    [Fact]
    public void KillAllUsesTheUnifiedCgroupKillOnAHybridHost()
    {
        var m = Applied();
        m.KillAll();
        Assert.Equal(["1"], fs.WritesTo("unified/c1/cgroup.kill"));
    }

    [Fact]
    public void DestroyRemovesEveryCgroupAndSubCgroup()
    {
        var m = Applied();
        Directory.CreateDirectory(fs.Abs("memory/process_api/707b/c1/sub"));
        foreach (var dir in m.Paths.Values) File.WriteAllText(Path.Combine(dir, "cgroup.procs"), "");
        m.Destroy();
        Assert.False(m.Exists());
        Assert.True(Directory.Exists(fs.Abs("memory/process_api/707b")));
        m.Destroy(); // already gone is fine
    }

    [Fact]
    public void DestroyRetriesABusyCgroupThenReportsIt()
    {
        var m = Applied();
        foreach (var dir in m.Paths.Values) File.WriteAllText(Path.Combine(dir, "cgroup.procs"), "");
        fs.Put("pids/c1/cgroup.procs", "5\n"); // a process that never exits
        var e = Assert.Throws<CgroupException>(m.Destroy);
        Assert.Contains("pids/c1: Device or resource busy", e.Message);
        Assert.False(Directory.Exists(fs.Abs("cpu/c1")));
    }

    // ---- stats ----

    [Fact]
    public void StatsReadEveryV1Controller()
    {
        var m = Applied();
        fs.Put("pids/c1/pids.max", "64\n");
        var s = m.GetStats();
        Assert.Equal(11615587UL, s.Cpu.Usage.Total);
        Assert.Equal([8675236UL, 2940351UL], s.Cpu.Usage.PerCpu);
        Assert.Equal([7894574UL, 0UL], s.Cpu.Usage.PerCpuKernel);
        Assert.Equal([0UL, 0UL], s.Cpu.Usage.PerCpuUser);
        Assert.Equal(10_000_000UL, s.Cpu.Usage.Kernel);
        Assert.Equal(new CpuThrottling { Periods = 10, ThrottledPeriods = 3, ThrottledTime = 5000 }, s.Cpu.Throttling);
        Assert.Equal([(ushort)0, (ushort)1], s.Cpuset.Cpus);
        Assert.Equal(-1, s.Cpuset.SchedRelaxDomainLevel);
        Assert.Equal(12288UL, s.Memory.Cache);
        Assert.Equal(new MemoryEntry { Usage = 565248, Max = 2248704, Limit = 9223372036854771712 }, s.Memory.Usage);
        Assert.Equal(253952UL, s.Memory.Kernel.Usage);
        Assert.Equal(53248UL, s.Memory.Raw!["rss"]);
        Assert.Equal(new PidsStats(1, 64), s.Pids);
        Assert.Equal([new BlkioEntry { Major = 254, Op = "Read", Value = 12288 }, new BlkioEntry { Major = 254, Op = "Write", Value = 4096 }],
            s.Blkio.IoServiceBytesRecursive);
        Assert.Equal(2, s.Blkio.IoServicedRecursive!.Count);
        Assert.Null(s.Blkio.SectorsRecursive);
        Assert.Equal(["2MB"], s.Hugetlb.Keys);
    }

    [Fact]
    public void StatsOfAGoneCgroupIsAClearError()
    {
        var m = Create();
        Assert.Contains("no longer exists", Assert.Throws<CgroupException>(m.GetStats).Message);
    }

    [Fact]
    public void StatsSerializeAsRuncsJson()
    {
        var json = OciJson.SerializeEvent(new ContainerEvent("stats", "c1", Applied().GetStats()));
        using var doc = JsonDocument.Parse(json);
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"],
            data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["cache", "usage", "swap", "kernel", "kernelTCP", "raw"], data.GetProperty("memory").EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, data.GetProperty("network_interfaces").ValueKind);
    }
}
