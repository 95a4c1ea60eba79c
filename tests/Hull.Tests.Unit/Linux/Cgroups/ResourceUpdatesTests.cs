using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

public class ResourceUpdatesTests
{
    static readonly LinuxResources Saved = new()
    {
        Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
        Memory = new LinuxMemory { Limit = 100 << 20, Swap = 200 << 20, Swappiness = 10 },
        Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 100000, Cpus = "0-1" },
        Pids = new LinuxPids { Limit = 20 },
        BlockIO = new LinuxBlockIO { Weight = 300, LeafWeight = 10 },
        Unified = new Dictionary<string, string> { ["memory.high"] = "50M" },
    };

    [Fact]
    public void GivenValuesReplaceAndAbsentOnesKeep()
    {
        var merged = ResourceUpdates.Merge(Saved, new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 300 << 20 },
            Cpu = new LinuxCpu { Quota = 20000, Cpus = "" },
            BlockIO = new LinuxBlockIO { Weight = 700 },
            Unified = new Dictionary<string, string> { ["pids.max"] = "5" },
        });
        Assert.Equal(300 << 20, merged.Memory!.Limit);
        Assert.Equal(200 << 20, merged.Memory.Swap);
        Assert.Equal(10UL, merged.Memory.Swappiness);
        Assert.Equal(20000, merged.Cpu!.Quota);
        Assert.Equal(100000UL, merged.Cpu.Period);
        Assert.Equal(512UL, merged.Cpu.Shares);
        Assert.Equal("0-1", merged.Cpu.Cpus);
        Assert.Equal(20, merged.Pids!.Limit);
        Assert.Equal((ushort)700, merged.BlockIO!.Weight);
        Assert.Equal((ushort)10, merged.BlockIO.LeafWeight);
        Assert.Equal(["memory.high", "pids.max"], merged.Unified!.Keys.Order());
        Assert.Same(Saved.Devices, merged.Devices); // kept for the state; Set gets Devices = null
    }

    [Fact]
    public void UnlimitedMemoryWithoutSwapMeansUnlimitedSwap()
    {
        var merged = ResourceUpdates.Merge(Saved, new LinuxResources { Memory = new LinuxMemory { Limit = -1 } });
        Assert.Equal(-1, merged.Memory!.Swap);
        merged = ResourceUpdates.Merge(Saved, new LinuxResources { Memory = new LinuxMemory { Limit = -1, Swap = 500 << 20 } });
        Assert.Equal(500 << 20, merged.Memory!.Swap);
    }

    [Fact]
    public void APidsLimitOfZeroKeepsTheOldOneAndNothingSavedIsFine()
    {
        Assert.Equal(20, ResourceUpdates.Merge(Saved, new LinuxResources { Pids = new LinuxPids { Limit = 0 } }).Pids!.Limit);
        var merged = ResourceUpdates.Merge(null, new LinuxResources { Pids = new LinuxPids { Limit = -1 }, Cpu = new LinuxCpu { Shares = 2 } });
        Assert.Equal(-1, merged.Pids!.Limit);
        Assert.Equal(2UL, merged.Cpu!.Shares);
        Assert.Null(merged.Memory);
    }

    public static TheoryData<LinuxResources, string> InvalidUpdates => new()
    {
        { new() { Memory = new() { Limit = -2 } }, "invalid memory.limit (--memory) -2: use a size in bytes, or -1 for no limit" },
        { new() { Memory = new() { Swap = -5 } }, "invalid memory.swap (--memory-swap) -5" },
        { new() { Memory = new() { Reservation = -3 } }, "invalid memory.reservation (--memory-reservation) -3" },
        { new() { Cpu = new() { Shares = 1 } }, "invalid cpu.shares (--cpu-share) 1: cpu shares are from 2 to 262144" },
        { new() { Cpu = new() { Shares = 300000 } }, "invalid cpu.shares (--cpu-share) 300000" },
        { new() { Cpu = new() { Period = 999 } }, "invalid cpu.period (--cpu-period) 999: the CFS period is from 1000 to 1000000 microseconds" },
        { new() { Cpu = new() { Period = 1000001 } }, "invalid cpu.period (--cpu-period) 1000001" },
        { new() { Cpu = new() { Quota = 500 } }, "invalid cpu.quota (--cpu-quota) 500: the CFS quota is at least 1000 microseconds, or -1 for no limit" },
        { new() { Cpu = new() { Quota = -7 } }, "invalid cpu.quota (--cpu-quota) -7" },
        { new() { Cpu = new() { RealtimeRuntime = -2 } }, "invalid cpu.realtimeRuntime (--cpu-rt-runtime) -2" },
        { new() { Cpu = new() { Idle = 2 } }, "invalid cpu.idle (--cpu-idle) 2: use 0 (normal scheduling) or 1 (SCHED_IDLE)" },
        { new() { Cpu = new() { Cpus = "0-" } }, "invalid cpu.cpus (--cpuset-cpus) 0-: use a list of numbers and ranges such as 0-3,5" },
        { new() { Cpu = new() { Cpus = "0 1" } }, "invalid cpu.cpus (--cpuset-cpus) 0 1" },
        { new() { Cpu = new() { Mems = "1-2-3" } }, "invalid cpu.mems (--cpuset-mems) 1-2-3" },
        { new() { BlockIO = new() { Weight = 5 } }, "invalid blockIO.weight (--blkio-weight) 5: the weight is from 10 to 1000" },
        { new() { BlockIO = new() { Weight = 1001 } }, "invalid blockIO.weight (--blkio-weight) 1001" },
    };

    [Theory]
    [MemberData(nameof(InvalidUpdates))]
    public void InvalidValuesAreRefusedNamingFieldAndFlag(LinuxResources update, string message)
    {
        var e = Assert.Throws<CgroupException>(() => ResourceUpdates.Validate(update));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void ValidValuesAndTheLeaveItValuesPass()
    {
        ResourceUpdates.Validate(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = -1, Reservation = 0, Swap = 1 << 30 },
            Cpu = new LinuxCpu { Shares = 2, Period = 1000, Quota = -1, RealtimeRuntime = -1, Idle = 1, Cpus = "0-1,3", Mems = "0" },
            BlockIO = new LinuxBlockIO { Weight = 0 },
            Pids = new LinuxPids { Limit = -1 },
        });
        ResourceUpdates.Validate(new LinuxResources { Cpu = new LinuxCpu { Quota = 0, Period = 0, Shares = 0, Cpus = "" }, BlockIO = new LinuxBlockIO { Weight = 10 } });
    }

    [Fact]
    public void SwapIsCheckedAgainstTheMergedMemoryLimit()
    {
        // The saved limit is 100 MiB: memory+swap below it cannot be.
        var merged = ResourceUpdates.Merge(Saved, new LinuxResources { Memory = new LinuxMemory { Swap = 50 << 20 } });
        var e = Assert.Throws<CgroupException>(() => ResourceUpdates.ValidateMerged(merged));
        Assert.Equal($"memory.swap (--memory-swap) {50 << 20} is below memory.limit (--memory) {100 << 20}: it counts memory plus swap, so make it at least the memory limit, or -1 for unlimited swap", e.Message);

        var noLimit = ResourceUpdates.Merge(null, new LinuxResources { Memory = new LinuxMemory { Swap = 50 << 20 } });
        Assert.StartsWith("cannot set memory.swap (--memory-swap) to 52428800 without a memory limit", Assert.Throws<CgroupException>(() => ResourceUpdates.ValidateMerged(noLimit)).Message);

        ResourceUpdates.ValidateMerged(ResourceUpdates.Merge(Saved, new LinuxResources { Memory = new LinuxMemory { Swap = -1 } }));
        ResourceUpdates.ValidateMerged(ResourceUpdates.Merge(Saved, new LinuxResources { Memory = new LinuxMemory { Limit = 150 << 20, Swap = 150 << 20 } }));
    }

    [Fact]
    public void BurstIsCheckedAgainstTheMergedQuota()
    {
        var merged = ResourceUpdates.Merge(Saved, new LinuxResources { Cpu = new LinuxCpu { Burst = 60000 } });
        Assert.StartsWith("cpu.burst (--cpu-burst) 60000 is above cpu.quota (--cpu-quota) 50000", Assert.Throws<CgroupException>(() => ResourceUpdates.ValidateMerged(merged)).Message);
        ResourceUpdates.ValidateMerged(ResourceUpdates.Merge(Saved, new LinuxResources { Cpu = new LinuxCpu { Burst = 50000 } }));
    }

    [Fact]
    public void FieldsUpdateDoesNotApplyAreNamed()
    {
        Assert.Empty(ResourceUpdates.Unapplied(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 1, Reservation = 1, Swap = 2, Kernel = 0 },
            Cpu = Saved.Cpu,
            Pids = Saved.Pids,
            BlockIO = new LinuxBlockIO { Weight = 300 },
            Unified = Saved.Unified,
        }));
        var update = new LinuxResources
        {
            Devices = [new LinuxDeviceCgroup { Allow = true, Access = "r" }],
            Memory = new LinuxMemory { Limit = 1, Kernel = 10, KernelTcp = 0, Swappiness = 5 },
            BlockIO = new LinuxBlockIO { Weight = 100, ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1 }] },
            HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 0 }],
            Network = new LinuxNetwork { ClassId = 1 },
        };
        Assert.Equal(["devices", "memory.kernel", "memory.swappiness", "blockIO (other than weight)", "hugepageLimits", "network"], ResourceUpdates.Unapplied(update));
    }
}
