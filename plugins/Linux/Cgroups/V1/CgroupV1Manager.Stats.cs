using Hull.Abstractions.Events;

namespace Hull.Plugins.Linux.Cgroups.V1;

// Stats from the v1 files, shaped as runc's fs manager reports them.
internal sealed partial class CgroupV1Manager
{
    /// <summary>USER_HZ: cpuacct.stat counts in these ticks; Linux fixes it at 100 for user space.</summary>
    const ulong ClockTicks = 100;

    public Stats GetStats()
    {
        if (!Exists()) throw new CgroupException("cannot read the container's stats: its cgroup no longer exists");
        return new Stats
        {
            Cpu = CpuStats(),
            Cpuset = paths.TryGetValue("cpuset", out var cpuset) ? CpusetStats(cpuset) : new(),
            Memory = paths.TryGetValue("memory", out var memory) ? MemoryStats(memory) : new(),
            Pids = paths.TryGetValue("pids", out var pids)
                ? new PidsStats(fs.ReadUInt64(Path.Combine(pids, "pids.current")), Limit(fs.ReadUInt64(Path.Combine(pids, "pids.max"))))
                : new(),
            Blkio = paths.TryGetValue("blkio", out var blkio) ? BlkioStats(blkio) : new(),
            Hugetlb = HugetlbStats(),
        };
    }

    /// <summary>"max" (no limit) is reported as 0, as runc does.</summary>
    static ulong Limit(ulong value) => value == ulong.MaxValue ? 0 : value;

    string F(string dir, string file) => Path.Combine(dir, file);

    CpuStats CpuStats()
    {
        var usage = new CpuUsage();
        if (paths.TryGetValue("cpuacct", out var acct))
        {
            var times = fs.ReadKeyValues(F(acct, "cpuacct.stat")).ToDictionary(kv => kv.Key, kv => kv.Value);
            var (perUser, perKernel) = PerCpuModes(F(acct, "cpuacct.usage_all"));
            usage = new CpuUsage
            {
                Total = fs.ReadUInt64(F(acct, "cpuacct.usage")),
                PerCpu = Numbers(fs.TryRead(F(acct, "cpuacct.usage_percpu"))),
                PerCpuKernel = perKernel,
                PerCpuUser = perUser,
                Kernel = times.GetValueOrDefault("system") * 1_000_000_000 / ClockTicks,
                User = times.GetValueOrDefault("user") * 1_000_000_000 / ClockTicks,
            };
        }
        var throttling = new CpuThrottling();
        if (paths.TryGetValue("cpu", out var cpu))
        {
            var stat = fs.ReadKeyValues(F(cpu, "cpu.stat")).ToDictionary(kv => kv.Key, kv => kv.Value);
            throttling = new CpuThrottling
            {
                Periods = stat.GetValueOrDefault("nr_periods"),
                ThrottledPeriods = stat.GetValueOrDefault("nr_throttled"),
                ThrottledTime = stat.GetValueOrDefault("throttled_time"),
            };
        }
        return new CpuStats { Usage = usage, Throttling = throttling };
    }

    /// <summary>cpuacct.usage_all: a "cpu user system" header, then one row per cpu.</summary>
    (IReadOnlyList<ulong>? User, IReadOnlyList<ulong>? Kernel) PerCpuModes(string path)
    {
        var rows = (fs.TryRead(path) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length == 3).ToList();
        if (rows.Count == 0) return (null, null);
        return (rows.Select(f => CgroupFsExtensions.ParseUInt64(f[1])).ToList(), rows.Select(f => CgroupFsExtensions.ParseUInt64(f[2])).ToList());
    }

    static IReadOnlyList<ulong>? Numbers(string? text)
    {
        var list = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(CgroupFsExtensions.ParseUInt64).ToList();
        return list.Count == 0 ? null : list;
    }

    CpusetStats CpusetStats(string dir)
    {
        ulong U(string name) => fs.ReadUInt64(F(dir, "cpuset." + name));
        return new CpusetStats
        {
            Cpus = StatsReaders.CpuList(fs.TryRead(F(dir, "cpuset.cpus"))),
            CpuExclusive = U("cpu_exclusive"),
            Mems = StatsReaders.CpuList(fs.TryRead(F(dir, "cpuset.mems"))),
            MemHardwall = U("mem_hardwall"),
            MemExclusive = U("mem_exclusive"),
            MemoryMigrate = U("memory_migrate"),
            MemorySpreadPage = U("memory_spread_page"),
            MemorySpreadSlab = U("memory_spread_slab"),
            MemoryPressure = U("memory_pressure"),
            SchedLoadBalance = U("sched_load_balance"),
            SchedRelaxDomainLevel = long.TryParse(fs.TryRead(F(dir, "cpuset.sched_relax_domain_level"))?.Trim(), out var level) ? level : 0,
        };
    }

    MemoryStats MemoryStats(string dir)
    {
        var raw = StatsReaders.Raw(fs, F(dir, "memory.stat"));
        return new MemoryStats
        {
            Cache = raw?.GetValueOrDefault("cache") ?? 0,
            Usage = Entry(dir, "memory"),
            Swap = Entry(dir, "memory.memsw"),
            Kernel = Entry(dir, "memory.kmem"),
            KernelTcp = Entry(dir, "memory.kmem.tcp"),
            Raw = raw,
        };
    }

    /// <summary>One memory counter family; all zero when this kernel lacks it (no swap accounting, no kmem).</summary>
    MemoryEntry Entry(string dir, string prefix) => new()
    {
        Usage = fs.ReadUInt64(F(dir, prefix + ".usage_in_bytes")),
        Max = fs.ReadUInt64(F(dir, prefix + ".max_usage_in_bytes")),
        Failcnt = fs.ReadUInt64(F(dir, prefix + ".failcnt")),
        Limit = fs.ReadUInt64(F(dir, prefix + ".limit_in_bytes")),
    };

    /// <summary>
    /// The first family of blkio files whose first file has data, in runc's order: BFQ debug, BFQ, CFQ,
    /// throttle (recursive), throttle. Throttle files count all I/O whatever the scheduler.
    /// </summary>
    BlkioStats BlkioStats(string dir)
    {
        string[] full = ["sectors_recursive", "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive",
            "io_queued_recursive", "time_recursive", "io_serviced_recursive", "io_service_bytes_recursive"];
        (string Prefix, string[] Files)[] families =
        [
            ("blkio.bfq.", full),
            ("blkio.bfq.", ["io_serviced_recursive", "io_service_bytes_recursive"]),
            ("blkio.", full),
            ("blkio.throttle.", ["io_serviced_recursive", "io_service_bytes_recursive"]),
            ("blkio.throttle.", ["io_serviced", "io_service_bytes"]),
        ];
        foreach (var (prefix, files) in families)
        {
            var first = BlkioEntries(F(dir, prefix + files[0]));
            if (first is null) continue;
            var found = files.ToDictionary(f => f.Replace("_recursive", ""), f => f == files[0] ? first : BlkioEntries(F(dir, prefix + f)));
            return new BlkioStats
            {
                SectorsRecursive = found.GetValueOrDefault("sectors"),
                IoServiceTimeRecursive = found.GetValueOrDefault("io_service_time"),
                IoWaitTimeRecursive = found.GetValueOrDefault("io_wait_time"),
                IoMergedRecursive = found.GetValueOrDefault("io_merged"),
                IoQueuedRecursive = found.GetValueOrDefault("io_queued"),
                IoTimeRecursive = found.GetValueOrDefault("time"),
                IoServicedRecursive = found.GetValueOrDefault("io_serviced"),
                IoServiceBytesRecursive = found.GetValueOrDefault("io_service_bytes"),
            };
        }
        return new BlkioStats();
    }

    /// <summary>"8:0 Read 4096" (or "8:0 4096" for sectors and time) lines; the "Total" summary line is skipped. Null when empty.</summary>
    List<BlkioEntry>? BlkioEntries(string path)
    {
        var entries = new List<BlkioEntry>();
        foreach (var line in (fs.TryRead(path) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2) continue;
            var device = f[0].Split(':');
            if (device.Length != 2 || !ulong.TryParse(device[0], out var major) || !ulong.TryParse(device[1], out var minor)) continue;
            entries.Add(f.Length == 3
                ? new BlkioEntry { Major = major, Minor = minor, Op = f[1], Value = CgroupFsExtensions.ParseUInt64(f[2]) }
                : new BlkioEntry { Major = major, Minor = minor, Value = CgroupFsExtensions.ParseUInt64(f[1]) });
        }
        return entries.Count == 0 ? null : entries;
    }

    /// <summary>v1 hugetlb when mounted; on a hybrid host whose hugetlb lives in the unified hierarchy, from there.</summary>
    IReadOnlyDictionary<string, HugetlbStats> HugetlbStats()
    {
        if (paths.TryGetValue("hugetlb", out var dir))
        {
            var map = new SortedDictionary<string, HugetlbStats>(StringComparer.Ordinal);
            foreach (var size in StatsReaders.HugePageSizes(fs, dir, ".limit_in_bytes"))
                map[size] = new HugetlbStats
                {
                    Usage = fs.ReadUInt64(F(dir, $"hugetlb.{size}.usage_in_bytes")),
                    Max = fs.ReadUInt64(F(dir, $"hugetlb.{size}.max_usage_in_bytes")),
                    Failcnt = fs.ReadUInt64(F(dir, $"hugetlb.{size}.failcnt")),
                };
            return map;
        }
        return paths.TryGetValue("", out var unified) ? StatsReaders.V2Hugetlb(fs, unified) : new Dictionary<string, HugetlbStats>();
    }
}
