using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Cgroups.V2;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Cgroups;

/// <summary>
/// cgroup2 mounted on a temp directory: the v2 manager on a real unified hierarchy. On this kind of
/// machine only hugetlb is a v2 controller, but placement, freeze, kill, events and device programs are
/// all cgroup2 core. Restores the root's subtree_control (Apply enables hugetlb there) and unmounts.
/// </summary>
public sealed class Cgroup2Mount : IDisposable
{
    public string Dir { get; }
    public bool Mounted { get; }
    public string? Skip { get; }
    readonly string? subtreeBefore;

    public Cgroup2Mount()
    {
        Dir = Directory.CreateTempSubdirectory("hull-cg2-").FullName;
        if (!Tools.IsRoot) { Skip = "needs root to mount cgroup2"; return; }
        var r = Tools.Run("mount", ["-t", "cgroup2", "none", Dir]);
        if (r.ExitCode != 0) { Skip = "cannot mount cgroup2: " + r.Stderr.Trim(); return; }
        Mounted = true;
        subtreeBefore = File.ReadAllText(Path.Combine(Dir, "cgroup.subtree_control")).Trim();
    }

    /// <summary>A host that sees only this cgroup2 mount: a v2 host.</summary>
    internal CgroupHost Host => CgroupHost.Parse($"900 1 0:0 / {Dir} rw - cgroup2 cgroup2 rw", File.ReadAllText("/proc/self/cgroup"));

    public void Dispose()
    {
        if (Mounted)
        {
            var control = Path.Combine(Dir, "cgroup.subtree_control");
            var before = (subtreeBefore ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var c in File.ReadAllText(control).Split(' ', StringSplitOptions.RemoveEmptyEntries).Except(before))
                try { File.WriteAllText(control, "-" + c); } catch (IOException) { }
            Tools.Run("umount", [Dir]);
        }
        Directory.Delete(Dir);
    }
}

public sealed class CgroupV2Tests(Cgroup2Mount cg2) : IClassFixture<Cgroup2Mount>, IDisposable
{
    readonly string name = "hull-it-" + Guid.NewGuid().ToString("N")[..8];
    readonly List<Child> children = [];
    ICgroupManager? manager;

    ICgroupManager Manager(LinuxResources? resources = null)
    {
        Skip.If(cg2.Skip is not null, cg2.Skip);
        manager = CgroupManagers.Create(new CgroupConfig { Name = name, Path = "/" + name, Resources = resources }, cg2.Host);
        Assert.IsType<CgroupV2Manager>(manager);
        return manager;
    }

    Child Start(string script)
    {
        var child = new Child(script);
        children.Add(child);
        return child;
    }

    string Dir => Path.Combine(cg2.Dir, name);

    void DestroyAndCheck()
    {
        foreach (var c in children) c.Dispose();
        manager!.Destroy();
        Assert.False(Directory.Exists(Dir), Dir + " left behind");
    }

    [SkippableFact]
    public void PlacementAndReopening()
    {
        var m = Manager();
        var child = Start("exec sleep 1000");
        m.Apply(child.Pid);
        Assert.Equal(Dir, Assert.Single(m.Paths).Value);
        Assert.Equal("/" + name, child.CgroupOf(""));
        Assert.Equal([child.Pid], m.GetPids());
        Assert.Equal([child.Pid], CgroupManagers.Open(m.Paths, rootless: false).GetPids());
        DestroyAndCheck();
    }

    [SkippableFact]
    public void FreezeAndThawABusyChild()
    {
        var m = Manager();
        var child = Start("while :; do :; done");
        m.Apply(child.Pid);
        m.Freeze();
        Assert.Equal(FreezerState.Frozen, m.GetFreezerState());
        Assert.Contains("frozen 1", File.ReadAllText(Path.Combine(Dir, "cgroup.events")));
        var frozenAt = child.CpuTicks();
        Thread.Sleep(300);
        Assert.Equal(frozenAt, child.CpuTicks());
        m.Thaw();
        Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
        Thread.Sleep(300);
        Assert.True(child.CpuTicks() > frozenAt);
        DestroyAndCheck();
    }

    [SkippableFact]
    public void CgroupKillEndsEveryProcessAndTheEventStreamCloses()
    {
        var m = Manager();
        var child = Start("read x; sleep 1000 & sleep 1000 & wait");
        m.Apply(child.Pid);
        child.Go(); // fork after placement: the sleeps are born in the cgroup
        Poll.Require(() => m.GetPids().Count == 3, "the shell and its two sleeps are in the cgroup");
        using var events = m.OpenOomNotifier();
        Assert.Equal(OomWait.Timeout, events.Wait(TimeSpan.FromMilliseconds(100)));
        m.KillAll();
        Assert.Equal(OomWait.Closed, events.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(child.Exited(TimeSpan.FromSeconds(10)));
        Assert.Empty(m.GetPids());
        DestroyAndCheck();
    }

    [SkippableFact]
    public void HugetlbLimitsAndStats()
    {
        var m = Manager();
        var child = Start("exec sleep 1000");
        m.Apply(child.Pid);
        Skip.IfNot(File.Exists(Path.Combine(Dir, "hugetlb.2MB.max")), "hugetlb is not a v2 controller here");
        m.Set(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 4 << 20 }] });
        Assert.Equal("4194304", File.ReadAllText(Path.Combine(Dir, "hugetlb.2MB.max")).Trim());
        var stats = m.GetStats();
        Assert.Contains("2MB", stats.Hugetlb.Keys);
        Assert.Equal(0UL, stats.Hugetlb["2MB"].Usage);
        DestroyAndCheck();
    }

    [SkippableFact]
    public void ALimitForAControllerTheHierarchyLacksIsAClearError()
    {
        var m = Manager();
        var child = Start("exec sleep 1000");
        m.Apply(child.Pid);
        var controllers = File.ReadAllText(Path.Combine(Dir, "cgroup.controllers")).Trim();
        Skip.If(controllers.Contains("pids"), "this host has the pids controller in v2");
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 5 } }));
        Assert.Contains("linux.resources.pids.limit: the pids controller is not enabled", e.Message);
        m.Set(new LinuxResources { Pids = new LinuxPids { Limit = -1 } }); // the default needs no controller
        DestroyAndCheck();
    }

    [SkippableFact]
    public void TheDeviceProgramDeniesWhatTheRulesDeny()
    {
        var m = Manager();
        var child = Start("read x; head -c1 /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null && echo zero-ok || echo zero-denied");
        m.Apply(child.Pid);
        m.Set(new LinuxResources
        {
            Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" }],
        });
        child.Go();
        var output = child.Output(TimeSpan.FromSeconds(10));
        Assert.Contains("null-ok", output);
        Assert.Contains("zero-denied", output);

        // Replacing the rules detaches the old program: /dev/zero is allowed again.
        var second = Start("read x; head -c1 /dev/zero >/dev/null && echo zero-ok || echo zero-denied");
        m.AddProcess(second.Pid);
        m.Set(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }] });
        second.Go();
        Assert.Contains("zero-ok", second.Output(TimeSpan.FromSeconds(10)));
        DestroyAndCheck();
    }

    [SkippableFact]
    public void CpuStatsMoveWithoutTheCpuController()
    {
        var m = Manager();
        var child = Start("while :; do :; done");
        m.Apply(child.Pid);
        var before = m.GetStats().Cpu.Usage.Total;
        Thread.Sleep(300);
        Assert.True(m.GetStats().Cpu.Usage.Total > before);
        DestroyAndCheck();
    }

    public void Dispose()
    {
        foreach (var c in children) c.Dispose();
        try { manager?.Destroy(); } catch (CgroupException) { }
    }
}
