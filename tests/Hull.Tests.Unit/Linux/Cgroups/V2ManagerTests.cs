using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Cgroups.V2;
using Hull.Plugins.Linux.Interop;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

/// <summary>Records the device program instead of loading it (that needs root and a real cgroup).</summary>
internal sealed class RecordingDeviceFilter : IDeviceFilterLoader
{
    public List<(string Dir, IReadOnlyList<DeviceFilterProgram.Instruction> Program)> Installed { get; } = [];

    public void Install(string cgroupDir, IReadOnlyList<DeviceFilterProgram.Instruction> program) => Installed.Add((cgroupDir, program));
}

public sealed class V2ManagerTests : IDisposable
{
    readonly FakeCgroupFs fs;
    readonly CgroupHost host;
    readonly RecordingDeviceFilter filter = new();

    public V2ManagerTests() => (fs, host) = FakeHosts.V2();

    public void Dispose() => fs.Dispose();

    CgroupV2Manager Applied(string? path = null, LinuxResources? resources = null)
    {
        var m = (CgroupV2Manager)CgroupManagers.Create(new CgroupConfig { Name = "c1", Path = path, Resources = resources }, host, fs);
        // Same manager, with the recording device filter.
        var withFilter = new CgroupV2Manager(fs, m.Paths[""], rootless: false, deviceFilter: filter);
        withFilter.Apply(4242);
        return withFilter;
    }

    const string Dir = "cg2/hull.slice/c1/";

    [Fact]
    public void ARelativeCgroupGoesBesideOurOwnAndGetsEveryControllerEnabledFromTheRoot()
    {
        var m = Applied();
        Assert.Equal(fs.Abs("cg2/hull.slice/c1"), m.Paths[""]);
        Assert.Single(m.Paths);
        Assert.Equal("4242", fs.Content(Dir + "cgroup.procs"));
        const string all = "+cpuset +cpu +io +memory +hugetlb +pids +rdma";
        Assert.Equal([all], fs.WritesTo("cg2/cgroup.subtree_control"));
        Assert.Equal([all], fs.WritesTo("cg2/hull.slice/cgroup.subtree_control"));
        Assert.Empty(fs.WritesTo(Dir + "cgroup.subtree_control")); // the leaf holds processes
    }

    [Fact]
    public void ControllersAreEnabledOneByOneWhenAllAtOnceIsRefused()
    {
        fs.FailOn("cg2/x/cgroup.subtree_control", CgroupNative.ENOENT);
        Applied(path: "/x/c1");
        Assert.Equal(["+cpuset", "+cpu", "+io", "+memory", "+hugetlb", "+pids", "+rdma"], fs.WritesTo("cg2/x/cgroup.subtree_control"));
    }

    [Fact]
    public void ADomainInvalidCgroupBecomesThreadedOnlyWhenNoDomainControllerIsNeeded()
    {
        Directory.CreateDirectory(fs.Abs("cg2/t"));
        foreach (var f in Directory.GetFiles(fs.Abs("cg2"))) File.Copy(f, Path.Combine(fs.Abs("cg2/t"), Path.GetFileName(f)));
        fs.Put("cg2/t/cgroup.type", "domain invalid\n");
        Applied(path: "/t/c1");
        Assert.Equal(["threaded"], fs.WritesTo("cg2/t/cgroup.type"));

        fs.Put("cg2/t/cgroup.type", "domain invalid\n");
        var m = CgroupManagers.Create(new CgroupConfig { Name = "c2", Path = "/t/c2", Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20 } } }, host, fs);
        var e = Assert.Throws<CgroupException>(() => m.Apply(1));
        Assert.Contains("invalid (threaded) state", e.Message);
        Assert.False(Directory.Exists(fs.Abs("cg2/t/c2")));
    }

    [Fact]
    public void RootlessWithoutPermissionAndWithoutLimitsRunsWithoutACgroup()
    {
        fs.FailOn("cg2/hull.slice/c1", CgroupNative.EACCES);
        var m = CgroupManagers.Create(new CgroupConfig { Name = "c1", Rootless = true }, host, fs);
        m.Apply(7);
        Assert.Empty(m.Paths);
        m.Set(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] });
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 10 } }));
        Assert.Contains("rootless", e.Message);
        Assert.Contains("delegate", e.Message);
    }

    [Fact]
    public void RootlessWithLimitsButNoPermissionFailsAtApplyWithTheWayOut()
    {
        fs.FailOn("cg2/hull.slice/c1", CgroupNative.EACCES);
        var m = CgroupManagers.Create(new CgroupConfig { Name = "c1", Rootless = true, Resources = new LinuxResources { Pids = new LinuxPids { Limit = 10 } } }, host, fs);
        var e = Assert.Throws<CgroupException>(() => m.Apply(7));
        Assert.Contains("Permission denied", e.Message);
        Assert.Contains("Delegate=yes", e.Message);
    }

    // ---- mappings ----

    [Theory]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 100UL)]
    [InlineData(512UL, 59UL)]
    [InlineData(2048UL, 174UL)]
    [InlineData(262144UL, 10000UL)]
    [InlineData(1000000UL, 10000UL)]
    public void SharesMapToWeightWithRuncsCurve(ulong shares, ulong weight) =>
        Assert.Equal(weight, CgroupV2Manager.SharesToWeight(shares));

    [Theory]
    [InlineData((ushort)10, 1UL)]
    [InlineData((ushort)500, 4950UL)]
    [InlineData((ushort)1000, 10000UL)]
    public void BlkioWeightMapsToIoWeight(ushort blkio, ulong io) => Assert.Equal(io, CgroupV2Manager.BlkioToIoWeight(blkio));

    [Fact]
    public void CpuMapsToWeightMaxBurstAndIdle()
    {
        var m = Applied();
        m.Set(new LinuxResources { Cpu = new LinuxCpu { Shares = 1024, Quota = 50000, Period = 200000, Burst = 10000, Idle = 1 } });
        Assert.Equal("100", fs.Content(Dir + "cpu.weight"));
        Assert.Equal("50000 200000", fs.Content(Dir + "cpu.max"));
        Assert.Equal("10000", fs.Content(Dir + "cpu.max.burst"));
        Assert.Equal("1", fs.Content(Dir + "cpu.idle"));
        m.Set(new LinuxResources { Cpu = new LinuxCpu { Quota = -1 } });
        Assert.Equal("max 100000", fs.Content(Dir + "cpu.max"));
    }

    [Theory]
    [InlineData(100L << 20, 300L << 20, "209715200")]
    [InlineData(100L << 20, -1L, "max")]
    [InlineData(-1L, 0L, "max")]
    [InlineData(100L << 20, 100L << 20, "0")]
    public void SwapIsMemoryPlusSwapMinusMemory(long limit, long swap, string expected)
    {
        var m = Applied();
        m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = limit, Swap = swap } });
        Assert.Equal(expected, fs.Content(Dir + "memory.swap.max"));
        Assert.Equal(limit == -1 ? "max" : limit.ToString(System.Globalization.CultureInfo.InvariantCulture), fs.Content(Dir + "memory.max"));
    }

    [Fact]
    public void SwapWithoutAMemoryLimitOrBelowItIsRefused()
    {
        Assert.Contains("needs a memory limit", Assert.Throws<CgroupException>(() => CgroupV2Manager.SwapMax(0, 1 << 20)).Message);
        Assert.Contains("at least", Assert.Throws<CgroupException>(() => CgroupV2Manager.SwapMax(2 << 20, 1 << 20)).Message);
        Assert.Null(CgroupV2Manager.SwapMax(1 << 20, 0));
    }

    [Fact]
    public void ReservationIsMemoryLowAndCheckBeforeUpdateRefusesALimitBelowUsage()
    {
        var m = Applied();
        m.Set(new LinuxResources { Memory = new LinuxMemory { Reservation = 1 << 20 } });
        Assert.Equal("1048576", fs.Content(Dir + "memory.low"));
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 4096, CheckBeforeUpdate = true } }));
        Assert.Contains("current memory usage (1048576 bytes)", e.Message);
        Assert.Equal("max", fs.Content(Dir + "memory.max"));
    }

    [Fact]
    public void BlockIOMapsToIoWeightAndIoMax()
    {
        var m = Applied();
        m.Set(new LinuxResources
        {
            BlockIO = new LinuxBlockIO
            {
                Weight = 500,
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 1000 }],
                ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 20 }],
            },
        });
        Assert.Equal("4950", fs.Content(Dir + "io.weight"));
        Assert.Equal(["254:0 rbps=1000", "254:0 wiops=20"], fs.WritesTo(Dir + "io.max"));
    }

    [Fact]
    public void WithBfqTheBlkioWeightIsWrittenAsIs()
    {
        var m = Applied();
        fs.Put(Dir + "io.bfq.weight", "default 100\n");
        m.Set(new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 500, WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 300 }] } });
        Assert.Equal(["500", "8:0 300"], fs.WritesTo(Dir + "io.bfq.weight"));
    }

    [Fact]
    public void PidsCpusetHugetlbRdmaAndUnifiedGoToTheirFiles()
    {
        var m = Applied();
        m.Set(new LinuxResources
        {
            Pids = new LinuxPids { Limit = -1 },
            Cpu = new LinuxCpu { Cpus = "0", Mems = "0" },
            HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 4194304 }, new LinuxHugepageLimit { Pagesize = "1GB", Limit = 0 }],
            Rdma = new Dictionary<string, LinuxRdma> { ["mlx5_0"] = new() { HcaHandles = 3 } },
            Unified = new Dictionary<string, string> { ["memory.high"] = "50M", ["cgroup.max.depth"] = "3" },
        });
        Assert.Equal("max", fs.Content(Dir + "pids.max"));
        Assert.Equal("0", fs.Content(Dir + "cpuset.cpus"));
        Assert.Equal("4194304", fs.Content(Dir + "hugetlb.2MB.max"));
        Assert.Equal("4194304", fs.Content(Dir + "hugetlb.2MB.rsvd.max"));
        Assert.Equal("0", fs.Content(Dir + "hugetlb.1GB.max"));
        Assert.Equal("mlx5_0 hca_handle=3", fs.Content(Dir + "rdma.max"));
        Assert.Equal("50M", fs.Content(Dir + "memory.high"));
        Assert.Equal("3", fs.Content(Dir + "cgroup.max.depth"));
    }

    [Fact]
    public void UnifiedKeysAreValidatedAndNeedTheirController()
    {
        var m = Applied();
        Assert.Contains("no slashes", Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Unified = new Dictionary<string, string> { ["../memory.max"] = "1" } })).Message);
        Assert.Contains("CONTROLLER.PARAMETER", Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Unified = new Dictionary<string, string> { ["nodot"] = "1" } })).Message);
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Unified = new Dictionary<string, string> { ["misc.max"] = "x 1" } }));
        Assert.Contains("the misc controller is not enabled", e.Message);
    }

    [Fact]
    public void SettingsCgroupV2LacksAreRefusedUnlessDefault()
    {
        var m = Applied();
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources
        {
            Memory = new LinuxMemory { Swappiness = 30, DisableOomKiller = true, Kernel = 1 << 20 },
            Cpu = new LinuxCpu { RealtimeRuntime = 1000 },
            Network = new LinuxNetwork { ClassId = 7 },
        }));
        Assert.Contains("linux.resources.memory.kernel, linux.resources.memory.swappiness, linux.resources.memory.disableOOMKiller, linux.resources.cpu.realtimeRuntime, linux.resources.network.classID", e.Message);
        m.Set(new LinuxResources { Memory = new LinuxMemory { Swappiness = ulong.MaxValue, DisableOomKiller = false, Kernel = -1 }, Network = new LinuxNetwork() });
    }

    [Fact]
    public void AControllerNotEnabledIsAClearErrorUnlessTheValueIsTheDefault()
    {
        using var lean = FakeHosts.V2(controllers: "pids").Fs;
        var (fs2, host2) = (lean, CgroupHost.Parse($"30 23 0:26 / {lean.Abs("cg2")} rw - cgroup2 cgroup2 rw", "0::/hull.slice/session.scope\n"));
        var m = CgroupManagers.Create(new CgroupConfig { Name = "c1" }, host2, fs2);
        m.Apply(1);
        fs2.Put("cg2/hull.slice/c1/cgroup.controllers", "pids\n");
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20 } }));
        Assert.Equal($"cannot apply linux.resources.memory: the memory controller is not enabled for cgroup {fs2.Abs("cg2/hull.slice/c1")} (available: pids)", e.Message);
        m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = -1 }, Cpu = new LinuxCpu { Quota = -1 } });
    }

    [Fact]
    public void DeviceRulesBecomeOneProgramForTheCgroup()
    {
        var m = Applied();
        m.Set(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" }] });
        var (dir, program) = Assert.Single(filter.Installed);
        Assert.Equal(m.Paths[""], dir);
        Assert.True(BpfInterpreter.Run(program, 'c', 1, 3, DeviceAccess.Read | DeviceAccess.Write));
        Assert.False(BpfInterpreter.Run(program, 'c', 1, 3, DeviceAccess.Mknod));
        Assert.False(BpfInterpreter.Run(program, 'b', 8, 0, DeviceAccess.Read));
        m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 5 } });
        Assert.Single(filter.Installed); // no device rules: the program stays
    }

    // ---- freezer, kill, pids ----

    [Fact]
    public void FreezeWritesCgroupFreezeAndWaitsForTheFrozenEvent()
    {
        var m = Applied();
        var reads = 0;
        fs.OnRead = (path, content) => path == Dir + "cgroup.events" && ++reads < 3 ? "populated 1\nfrozen 0\n" : path == Dir + "cgroup.events" ? "populated 1\nfrozen 1\n" : content;
        m.Freeze();
        Assert.Equal(["1"], fs.WritesTo(Dir + "cgroup.freeze"));
        Assert.Equal(3, reads);
        Assert.Equal(FreezerState.Frozen, m.GetFreezerState());
        m.Thaw();
        Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
    }

    [Fact]
    public void AKernelWithoutCgroupFreezeCannotPause()
    {
        var m = Applied();
        File.Delete(fs.Abs(Dir + "cgroup.freeze"));
        Assert.Contains("Linux 5.2", Assert.Throws<CgroupException>(m.Freeze).Message);
        Assert.Equal(FreezerState.Undefined, m.GetFreezerState());
    }

    [Fact]
    public void KillAllWritesCgroupKill()
    {
        var m = Applied();
        m.KillAll();
        Assert.Equal(["1"], fs.WritesTo(Dir + "cgroup.kill"));
    }

    [Fact]
    public void DestroyRemovesTheCgroupButNotItsParent()
    {
        var m = Applied();
        fs.Put(Dir + "cgroup.procs", "");
        m.Destroy();
        Assert.False(m.Exists());
        Assert.True(Directory.Exists(fs.Abs("cg2/hull.slice")));
    }

    [Fact]
    public void ReopeningFromPathsGivesTheSameCgroup()
    {
        var m = Applied();
        var again = CgroupManagers.Open(m.Paths, rootless: false, fs);
        Assert.IsType<CgroupV2Manager>(again);
        Assert.Equal([4242], again.GetPids());
    }

    [Fact]
    public void StatsAreConvertedToRuncsShape()
    {
        var s = Applied().GetStats();
        Assert.Equal(1_500_000UL, s.Cpu.Usage.Total);
        Assert.Equal(1_000_000UL, s.Cpu.Usage.User);
        Assert.Equal(500_000UL, s.Cpu.Usage.Kernel);
        Assert.Equal(20_000UL, s.Cpu.Throttling.ThrottledTime);
        Assert.Equal(4096UL, s.Memory.Cache);
        Assert.Equal(1048576UL, s.Memory.Usage.Usage);
        Assert.Equal(2097152UL, s.Memory.Usage.Max);
        Assert.Equal(ulong.MaxValue, s.Memory.Usage.Limit);
        Assert.Equal(2UL, s.Memory.Usage.Failcnt);
        Assert.Equal(1048576UL + 4096, s.Memory.Swap.Usage);
        Assert.Equal(2UL, s.Pids.Current);
        Assert.Equal(0UL, s.Pids.Limit);
        Assert.Equal(["Read", "Write"], s.Blkio.IoServiceBytesRecursive!.Select(e => e.Op));
        Assert.Equal(3UL, s.Blkio.IoServicedRecursive![0].Value);
        Assert.Equal(["1GB", "2MB"], s.Hugetlb.Keys);
        Assert.Equal(new Hull.Abstractions.Events.HugetlbStats { Usage = 2097152, Failcnt = 1 }, s.Hugetlb["2MB"]);
    }
}
