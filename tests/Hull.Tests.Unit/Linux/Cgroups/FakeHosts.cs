using Hull.Plugins.Linux.Cgroups;

namespace Hull.Tests.Unit.Linux.Cgroups;

/// <summary>Fake cgroupfs layouts shaped like real hosts, with the mountinfo that describes them.</summary>
internal static class FakeHosts
{
    public const string Max64 = "9223372036854771712";

    /// <summary>This machine's layout: v1 controllers, name=systemd, and cgroup2 with only hugetlb at "unified".</summary>
    public static (FakeCgroupFs Fs, CgroupHost Host) Hybrid(string ownMemory = "/")
    {
        var fs = new FakeCgroupFs();
        fs.Hierarchy("cpu", ("cgroup.procs", ""), ("cpu.shares", "1024"), ("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", "-1"),
            ("cpu.cfs_burst_us", "0"), ("cpu.rt_period_us", "1000000"), ("cpu.rt_runtime_us", "0"), ("cpu.idle", "0"),
            ("cpu.stat", "nr_periods 10\nnr_throttled 3\nthrottled_time 5000\n"));
        fs.Hierarchy("cpuacct", ("cgroup.procs", ""), ("cpuacct.usage", "11615587"), ("cpuacct.usage_percpu", "8675236 2940351 \n"),
            ("cpuacct.stat", "user 0\nsystem 1\n"), ("cpuacct.usage_all", "cpu user system\n0 0 7894574\n1 0 0\n"));
        fs.Hierarchy("cpuset", ("cgroup.procs", ""), ("cpuset.cpus", ""), ("cpuset.mems", ""), ("cpuset.cpu_exclusive", "0"),
            ("cpuset.mem_hardwall", "0"), ("cpuset.mem_exclusive", "0"), ("cpuset.memory_migrate", "0"), ("cpuset.memory_spread_page", "0"),
            ("cpuset.memory_spread_slab", "0"), ("cpuset.memory_pressure", "0"), ("cpuset.sched_load_balance", "1"),
            ("cpuset.sched_relax_domain_level", "-1"));
        fs.Put("cpuset/cpuset.cpus", "0-1\n");
        fs.Put("cpuset/cpuset.mems", "0\n");
        fs.Hierarchy("memory", ("cgroup.procs", ""), ("cgroup.event_control", ""), ("memory.limit_in_bytes", Max64),
            ("memory.memsw.limit_in_bytes", Max64), ("memory.soft_limit_in_bytes", Max64), ("memory.kmem.limit_in_bytes", Max64),
            ("memory.kmem.tcp.limit_in_bytes", Max64), ("memory.swappiness", "60"),
            ("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"), ("memory.use_hierarchy", "1"),
            ("memory.usage_in_bytes", "565248"), ("memory.max_usage_in_bytes", "2248704"), ("memory.failcnt", "0"),
            ("memory.memsw.usage_in_bytes", "565248"), ("memory.memsw.max_usage_in_bytes", "2248704"), ("memory.memsw.failcnt", "0"),
            ("memory.kmem.usage_in_bytes", "253952"), ("memory.kmem.max_usage_in_bytes", "544768"), ("memory.kmem.failcnt", "0"),
            ("memory.kmem.tcp.usage_in_bytes", "0"), ("memory.kmem.tcp.max_usage_in_bytes", "0"), ("memory.kmem.tcp.failcnt", "0"),
            ("memory.stat", "cache 12288\nrss 53248\ntotal_cache 12288\n"));
        fs.Hierarchy("devices", ("cgroup.procs", ""), ("devices.allow", ""), ("devices.deny", ""), ("devices.list", "a *:* rwm\n"));
        fs.Hierarchy("freezer", ("cgroup.procs", ""), ("freezer.state", "THAWED\n"), ("freezer.self_freezing", "0\n"));
        fs.Hierarchy("blkio", ("cgroup.procs", ""), ("blkio.bfq.weight", "100"), ("blkio.bfq.weight_device", ""),
            ("blkio.throttle.read_bps_device", ""), ("blkio.throttle.write_bps_device", ""),
            ("blkio.throttle.read_iops_device", ""), ("blkio.throttle.write_iops_device", ""),
            ("blkio.bfq.io_serviced_recursive", ""), ("blkio.throttle.io_serviced_recursive", "254:0 Read 3\n254:0 Write 1\nTotal 4\n"),
            ("blkio.throttle.io_service_bytes_recursive", "254:0 Read 12288\n254:0 Write 4096\nTotal 16384\n"));
        fs.Hierarchy("pids", ("cgroup.procs", ""), ("pids.max", "max"), ("pids.current", "1"));
        fs.Hierarchy("systemd", ("cgroup.procs", ""));
        fs.Hierarchy("unified", ("cgroup.procs", ""), ("cgroup.controllers", ""), ("cgroup.subtree_control", ""), ("cgroup.type", "domain"),
            ("cgroup.events", "populated 0\nfrozen 0\n"), ("cgroup.freeze", "0"), ("cgroup.kill", ""),
            ("hugetlb.2MB.max", "max"), ("hugetlb.2MB.current", "0"), ("hugetlb.2MB.events", "max 0\n"));
        fs.Put("unified/cgroup.controllers", "hugetlb\n");
        var mountinfo = string.Join('\n',
            $"31 23 0:28 / {fs.Root} rw,relatime - tmpfs tmpfs rw,mode=755",
            $"32 31 0:29 / {fs.Abs("cpu")} rw,relatime - cgroup cgroup rw,cpu",
            $"33 31 0:30 / {fs.Abs("cpuacct")} rw,relatime - cgroup cgroup rw,cpuacct",
            $"34 31 0:31 / {fs.Abs("cpuset")} rw,relatime - cgroup cgroup rw,cpuset",
            $"35 31 0:32 / {fs.Abs("memory")} rw,relatime - cgroup cgroup rw,memory",
            $"36 31 0:33 / {fs.Abs("devices")} rw,relatime - cgroup cgroup rw,devices",
            $"37 31 0:34 / {fs.Abs("freezer")} rw,relatime - cgroup cgroup rw,freezer",
            $"38 31 0:35 / {fs.Abs("blkio")} rw,relatime - cgroup cgroup rw,blkio",
            $"39 31 0:36 / {fs.Abs("pids")} rw,relatime - cgroup cgroup rw,pids",
            $"40 31 0:37 / {fs.Abs("systemd")} rw,relatime - cgroup cgroup rw,name=systemd",
            $"41 31 0:38 / {fs.Abs("unified")} rw,relatime - cgroup2 cgroup2 rw");
        var own = $"9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n4:memory:{ownMemory}\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";
        return (fs, CgroupHost.Parse(mountinfo, own));
    }

    /// <summary>A pure v2 host with the usual controllers; hull runs in <paramref name="own"/>.</summary>
    public static (FakeCgroupFs Fs, CgroupHost Host) V2(string own = "/hull.slice/session.scope", string controllers = "cpuset cpu io memory hugetlb pids rdma")
    {
        var fs = new FakeCgroupFs();
        var root = fs.Hierarchy("cg2", ("cgroup.procs", ""), ("cgroup.controllers", controllers), ("cgroup.subtree_control", ""),
            ("cgroup.type", "domain"), ("cgroup.events", "populated 1\nfrozen 0\n"), ("cgroup.freeze", "0"), ("cgroup.kill", ""),
            ("pids.max", "max"), ("pids.current", "2"),
            ("memory.max", "max"), ("memory.low", "0"), ("memory.high", "max"), ("cgroup.max.depth", "max"), ("memory.swap.max", "max"), ("memory.current", "1048576"), ("memory.peak", "2097152"),
            ("memory.swap.current", "4096"), ("memory.events", "low 0\nhigh 0\nmax 2\noom 0\noom_kill 0\n"),
            ("memory.stat", "anon 8192\nfile 4096\n"),
            ("io.weight", "default 100\n"), ("io.max", ""), ("io.stat", "254:0 rbytes=12288 wbytes=4096 rios=3 wios=1 dbytes=0 dios=0\n"),
            ("cpu.weight", "100"), ("cpu.max", "max 100000"), ("cpu.max.burst", "0"), ("cpu.idle", "0"),
            ("cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 20\n"),
            ("cpuset.cpus", ""), ("cpuset.mems", ""),
            ("hugetlb.2MB.max", "max"), ("hugetlb.2MB.rsvd.max", "max"), ("hugetlb.2MB.current", "2097152"), ("hugetlb.2MB.events", "max 1\n"),
            ("hugetlb.1GB.max", "max"), ("hugetlb.1GB.current", "0"), ("hugetlb.1GB.events", "max 0\n"),
            ("rdma.max", ""));
        var level = root;
        foreach (var part in own.Split('/', StringSplitOptions.RemoveEmptyEntries))
            fs.CreateDirectory(level = Path.Combine(level, part));
        fs.Writes.Clear();
        var mountinfo = $"30 23 0:26 / {root} rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot";
        return (fs, CgroupHost.Parse(mountinfo, "0::" + own + "\n"));
    }
}
