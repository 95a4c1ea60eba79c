using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Cgroups;

/// <summary>The v1 manager on this machine's real hierarchies (hybrid: v1 controllers, cgroup2 with hugetlb).</summary>
public sealed class CgroupV1Tests : IDisposable
{
    readonly string name = "hull-it-" + Guid.NewGuid().ToString("N")[..8];
    readonly List<Child> children = [];
    ICgroupManager? manager;

    static void RequireV1()
    {
        Skip.IfNot(Tools.IsRoot, "needs root to create cgroups");
        Skip.IfNot(CgroupHost.Detect().Mode is CgroupMode.V1 or CgroupMode.Hybrid, "needs cgroup v1 controllers mounted");
    }

    ICgroupManager Manager(LinuxResources? resources = null, string? path = null) =>
        manager = CgroupManagers.Create(new CgroupConfig { Name = name, Path = path, Resources = resources });

    Child Start(string script)
    {
        var child = new Child(script);
        children.Add(child);
        return child;
    }

    static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();

    /// <summary>Kills the children, destroys the cgroups and checks nothing is left.</summary>
    void DestroyAndCheck()
    {
        foreach (var c in children) c.Dispose();
        manager!.Destroy();
        Assert.All(manager.Paths.Values, dir => Assert.False(Directory.Exists(dir), dir + " left behind"));
    }

    [SkippableFact]
    public void PlacementLimitsAndReadBack()
    {
        RequireV1();
        var child = Start("exec sleep 1000");
        var m = Manager();
        m.Apply(child.Pid);
        var host = CgroupHost.Detect();
        Assert.EndsWith("/" + name, child.CgroupOf("memory"));
        Assert.Equal("/" + name, child.CgroupOf("pids"));
        if (host.Mode == CgroupMode.Hybrid) Assert.Equal("/" + name, child.CgroupOf(""));

        m.Set(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20, Reservation = 32 << 20 },
            Pids = new LinuxPids { Limit = 10 },
            Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 100000 },
        });
        Assert.Equal("67108864", Read(m.Paths["memory"], "memory.limit_in_bytes"));
        Assert.Equal("33554432", Read(m.Paths["memory"], "memory.soft_limit_in_bytes"));
        Assert.Equal("10", Read(m.Paths["pids"], "pids.max"));
        Assert.Equal("512", Read(m.Paths["cpu"], "cpu.shares"));
        Assert.Equal("50000", Read(m.Paths["cpu"], "cpu.cfs_quota_us"));
        Assert.Equal([child.Pid], m.GetPids());

        // A later command re-opens the manager from the saved paths.
        var again = CgroupManagers.Open(m.Paths, rootless: false);
        again.Set(new LinuxResources { Pids = new LinuxPids { Limit = -1 } });
        Assert.Equal("max", Read(m.Paths["pids"], "pids.max"));
        DestroyAndCheck();
    }

    [SkippableFact]
    public void APidsLimitMakesForkFail()
    {
        RequireV1();
        var child = Start("read x; /bin/true; echo forked");
        var m = Manager();
        m.Apply(child.Pid);
        m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 1 } });
        child.Go();
        var output = child.Output(TimeSpan.FromSeconds(10));
        Assert.Contains("Cannot fork", output);
        Assert.DoesNotContain("forked", output);
        DestroyAndCheck();
    }

    [SkippableFact]
    public void DeniedDevicesCannotBeOpened()
    {
        RequireV1();
        var child = Start("read x; head -c1 /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null && echo zero-ok || echo zero-denied");
        var m = Manager();
        m.Apply(child.Pid);
        m.Set(new LinuxResources
        {
            Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" }],
        });
        child.Go();
        var output = child.Output(TimeSpan.FromSeconds(10));
        Assert.Contains("null-ok", output);
        Assert.Contains("zero-denied", output);
        Assert.Contains("Operation not permitted", output);
        DestroyAndCheck();
    }

    [SkippableFact]
    public void TheDefaultDeviceRulesGiveRuncsDevicesListWithoutTun()
    {
        RequireV1();
        var child = Start("exec sleep 1000");
        var spec = new Spec
        {
            OciVersion = "1.0.2",
            Linux = new Hull.Abstractions.Oci.Linux { Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] } },
        };
        var config = CgroupConfig.FromSpec(spec, name, rootlessCgroups: false, systemd: false);
        var m = manager = CgroupManagers.Create(config);
        m.Apply(child.Pid);
        m.Set(config.Resources!);
        // runc 1.1.5's list for `runc spec`'s config on this machine, less "c 10:200 rwm" (runc 1.2 dropped
        // tun). The kernel lists exceptions in the order they were added, which does not matter.
        Assert.Equal(
            new[] { "b *:* m", "c *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm" }.Order(),
            File.ReadAllLines(Path.Combine(m.Paths["devices"], "devices.list")).Order());
        DestroyAndCheck();
    }

    [SkippableFact]
    public void FreezeStopsABusyChildAndThawResumesIt()
    {
        RequireV1();
        var child = Start("while :; do :; done");
        var m = Manager();
        m.Apply(child.Pid);
        m.Freeze();
        Assert.Equal(FreezerState.Frozen, m.GetFreezerState());
        var frozenAt = child.CpuTicks();
        Thread.Sleep(300);
        Assert.Equal(frozenAt, child.CpuTicks());
        m.Thaw();
        Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
        Thread.Sleep(300);
        Assert.True(child.CpuTicks() > frozenAt, "the thawed child did not run");
        DestroyAndCheck();
    }

    [SkippableFact]
    public void StatsMove()
    {
        RequireV1();
        var child = Start("while :; do :; done");
        var m = Manager();
        m.Apply(child.Pid);
        var before = m.GetStats();
        Thread.Sleep(300);
        var after = m.GetStats();
        Assert.True(after.Cpu.Usage.Total > before.Cpu.Usage.Total, "cpu usage did not move");
        Assert.Equal(1UL, after.Pids.Current);
        Assert.True(after.Memory.Usage.Limit > 0);
        var json = OciJson.SerializeEvent(new Hull.Abstractions.Events.ContainerEvent("stats", name, after));
        Assert.Contains("\"cpu\":{\"usage\":{\"total\":", json);
        DestroyAndCheck();
    }

    [SkippableFact]
    public void AMemoryLimitOomKillsAndTheNotifierSaysSo()
    {
        RequireV1();
        // tail keeps a whole "line" of /dev/zero in memory: it grows until the limit stops it.
        var child = Start("read x; exec tail /dev/zero");
        var m = Manager();
        m.Apply(child.Pid);
        // memory+swap equal to memory: no escape into swap.
        m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 16 << 20, Swap = 16 << 20 } });
        using (var oom = m.OpenOomNotifier())
        {
            child.Go();
            Assert.Equal(OomWait.Oom, oom.Wait(TimeSpan.FromSeconds(20)));
        }
        Assert.True(child.Exited(TimeSpan.FromSeconds(10)), "the OOM-killed child did not exit");
        Assert.Equal(137, child.ExitCode);
        // The peak reached the limit (this kernel no longer counts v1 failcnt for the OOM path).
        Assert.True(m.GetStats().Memory.Usage.Max > 8 << 20);
        DestroyAndCheck();
    }

    [SkippableFact]
    public void TheNotifierClosesWhenTheCgroupIsRemoved()
    {
        RequireV1();
        var child = Start("exec sleep 1000");
        var m = Manager();
        m.Apply(child.Pid);
        using var oom = m.OpenOomNotifier();
        Assert.Equal(OomWait.Timeout, oom.Wait(TimeSpan.FromMilliseconds(100)));
        DestroyAndCheck();
        Assert.Equal(OomWait.Closed, oom.Wait(TimeSpan.FromSeconds(5)));
    }

    [SkippableFact]
    public void KillAllKillsEveryProcessOfTheCgroup()
    {
        RequireV1();
        var child = Start("sleep 1000 & sleep 1000 & wait");
        var m = Manager();
        m.Apply(child.Pid);
        Poll.Require(() => ChildrenOf(child.Pid).Count() == 2, "the shell has forked both sleeps");
        // Children forked before Apply stay where they were: move them in as exec'd processes are.
        foreach (var pid in ChildrenOf(child.Pid)) m.AddProcess(pid);
        Assert.Equal(3, m.GetPids().Count);
        m.KillAll();
        Assert.True(child.Exited(TimeSpan.FromSeconds(10)));
        Poll.Require(() => m.GetPids().Count == 0, "the killed processes leave the cgroup");
        DestroyAndCheck();
    }

    static IEnumerable<int> ChildrenOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);

    [SkippableFact]
    public void AnAbsoluteCgroupsPathIsCreatedFromTheHierarchyRoot()
    {
        RequireV1();
        var child = Start("exec sleep 1000");
        var m = Manager(path: $"/{name}/inner");
        m.Apply(child.Pid);
        Assert.Equal($"/{name}/inner", child.CgroupOf("memory"));
        DestroyAndCheck();
        // Destroy removes the container's cgroup, not the parents it created on the way.
        foreach (var dir in m.Paths.Values.Select(Path.GetDirectoryName).Distinct()) Directory.Delete(dir!);
    }

    public void Dispose()
    {
        foreach (var c in children) c.Dispose();
        try { manager?.Destroy(); } catch (CgroupException) { }
    }
}
