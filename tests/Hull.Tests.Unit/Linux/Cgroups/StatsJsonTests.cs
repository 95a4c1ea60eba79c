using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

public class StatsJsonTests
{
    // `runc events --stats` (1.1.5) of a busybox `sleep` container on this kind of machine (raw trimmed).
    const string Runc = """{"type":"stats","id":"cgt1","data":{"cpu":{"usage":{"total":11615587,"percpu":[8675236,2940351],"percpu_kernel":[7894574,0],"percpu_user":[0,0],"kernel":10000000,"user":0},"throttling":{}},"cpuset":{"cpus":[0,1],"cpu_exclusive":0,"mems":[0],"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":1,"sched_relax_domain_level":-1},"memory":{"cache":12288,"usage":{"limit":9223372036854771712,"usage":565248,"max":2248704,"failcnt":0},"swap":{"limit":9223372036854771712,"usage":565248,"max":2248704,"failcnt":0},"kernel":{"limit":9223372036854771712,"usage":253952,"max":544768,"failcnt":0},"kernelTCP":{"limit":9223372036854771712,"failcnt":0},"raw":{"active_anon":4096,"cache":12288,"rss":53248}},"pids":{"current":1},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}}""";

    [Fact]
    public void TheSameNumbersPrintExactlyAsRuncPrintsThem()
    {
        const ulong max = 9223372036854771712;
        var stats = new Stats
        {
            Cpu = new CpuStats
            {
                Usage = new CpuUsage { Total = 11615587, PerCpu = [8675236, 2940351], PerCpuKernel = [7894574, 0], PerCpuUser = [0, 0], Kernel = 10000000 },
            },
            Cpuset = new CpusetStats { Cpus = [0, 1], Mems = [0], SchedLoadBalance = 1, SchedRelaxDomainLevel = -1 },
            Memory = new MemoryStats
            {
                Cache = 12288,
                Usage = new MemoryEntry { Limit = max, Usage = 565248, Max = 2248704 },
                Swap = new MemoryEntry { Limit = max, Usage = 565248, Max = 2248704 },
                Kernel = new MemoryEntry { Limit = max, Usage = 253952, Max = 544768 },
                KernelTcp = new MemoryEntry { Limit = max },
                // Insertion order differs from Go's sorted order on purpose.
                Raw = new Dictionary<string, ulong> { ["rss"] = 53248, ["cache"] = 12288, ["active_anon"] = 4096 },
            },
            Pids = new PidsStats(1),
        };
        Assert.Equal(Runc + "\n", OciJson.SerializeEvent(new ContainerEvent("stats", "cgt1", stats)));
    }

    [Fact]
    public void BlkioAndHugetlbEntriesOmitZerosAsGoDoes()
    {
        var stats = new Stats
        {
            Blkio = new BlkioStats { IoServiceBytesRecursive = [new BlkioEntry { Major = 254, Op = "Read", Value = 4096 }] },
            Hugetlb = new Dictionary<string, HugetlbStats> { ["2MB"] = new() { Usage = 2097152 }, ["1GB"] = new() },
        };
        var json = OciJson.SerializeEvent(new ContainerEvent("stats", "c", stats));
        Assert.Contains("""
            "blkio":{"ioServiceBytesRecursive":[{"major":254,"op":"Read","value":4096}]},"hugetlb":{"1GB":{"failcnt":0},"2MB":{"usage":2097152,"failcnt":0}}
            """, json);
    }
}
