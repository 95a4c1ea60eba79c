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
}
