using Hull.Abstractions.Events;

namespace Hull.Plugins.Linux.Cgroups.V2;

// Stats from the unified files, converted to runc's (v1-shaped) stats as runc's fs2 manager does.
internal sealed partial class CgroupV2Manager
{
    public Stats GetStats()
    {
        if (!placed) throw new CgroupException("cannot read the container's stats: it has no cgroup (rootless hull could not create one)");
        if (!fs.DirectoryExists(dir)) throw new CgroupException($"cannot read the container's stats: its cgroup {dir} no longer exists");
        var pidsMax = fs.ReadUInt64(File("pids.max"));
        return new Stats
        {
            Cpu = CpuStats(),
            Memory = MemoryStats(),
            Pids = new PidsStats(fs.ReadUInt64(File("pids.current")), pidsMax == ulong.MaxValue ? 0 : pidsMax),
            Blkio = IoStats(),
            Hugetlb = StatsReaders.V2Hugetlb(fs, dir),
        };
    }

    /// <summary>cpu.stat is there even without the cpu controller; microseconds become nanoseconds.</summary>
    CpuStats CpuStats()
    {
        var stat = fs.ReadKeyValues(File("cpu.stat")).ToDictionary(kv => kv.Key, kv => kv.Value);
        return new CpuStats
        {
            Usage = new CpuUsage
            {
                Total = stat.GetValueOrDefault("usage_usec") * 1000,
                User = stat.GetValueOrDefault("user_usec") * 1000,
                Kernel = stat.GetValueOrDefault("system_usec") * 1000,
            },
            Throttling = new CpuThrottling
            {
                Periods = stat.GetValueOrDefault("nr_periods"),
                ThrottledPeriods = stat.GetValueOrDefault("nr_throttled"),
                ThrottledTime = stat.GetValueOrDefault("throttled_usec") * 1000,
            },
        };
    }

    /// <summary>
    /// Usage from memory.current/max (peak from memory.peak where the kernel has it, failures from the
    /// "max" event); swap reported as memory+swap like v1's memsw, so consumers see the same meaning.
    /// </summary>
    MemoryStats MemoryStats()
    {
        var raw = StatsReaders.Raw(fs, File("memory.stat"));
        if (raw is null && !fs.FileExists(File("memory.current"))) return new MemoryStats();
        var usage = new MemoryEntry
        {
            Usage = fs.ReadUInt64(File("memory.current")),
            Max = fs.ReadUInt64(File("memory.peak")),
            Limit = fs.ReadUInt64(File("memory.max")),
            Failcnt = fs.ReadKeyValues(File("memory.events")).FirstOrDefault(kv => kv.Key == "max").Value,
        };
        var swap = new MemoryEntry();
        if (fs.FileExists(File("memory.swap.current")))
        {
            var swapLimit = fs.ReadUInt64(File("memory.swap.max"));
            swap = new MemoryEntry
            {
                Usage = fs.ReadUInt64(File("memory.swap.current")) + usage.Usage,
                Limit = swapLimit == ulong.MaxValue || usage.Limit == ulong.MaxValue ? ulong.MaxValue : swapLimit + usage.Limit,
            };
        }
        return new MemoryStats { Cache = raw?.GetValueOrDefault("file") ?? 0, Usage = usage, Swap = swap, Raw = raw };
    }

    /// <summary>io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...") mapped onto v1's service bytes and serviced tables.</summary>
    BlkioStats IoStats()
    {
        var bytes = new List<BlkioEntry>();
        var ios = new List<BlkioEntry>();
        foreach (var line in (fs.TryRead(File("io.stat")) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var device = fields[0].Split(':');
            if (device.Length != 2 || !ulong.TryParse(device[0], out var major) || !ulong.TryParse(device[1], out var minor)) continue;
            foreach (var item in fields.Skip(1))
            {
                var kv = item.Split('=', 2);
                if (kv.Length != 2) continue;
                var value = CgroupFsExtensions.ParseUInt64(kv[1]);
                switch (kv[0])
                {
                    case "rbytes": bytes.Add(new BlkioEntry { Major = major, Minor = minor, Op = "Read", Value = value }); break;
                    case "wbytes": bytes.Add(new BlkioEntry { Major = major, Minor = minor, Op = "Write", Value = value }); break;
                    case "rios": ios.Add(new BlkioEntry { Major = major, Minor = minor, Op = "Read", Value = value }); break;
                    case "wios": ios.Add(new BlkioEntry { Major = major, Minor = minor, Op = "Write", Value = value }); break;
                }
            }
        }
        return new BlkioStats
        {
            IoServiceBytesRecursive = bytes.Count == 0 ? null : bytes,
            IoServicedRecursive = ios.Count == 0 ? null : ios,
        };
    }
}
