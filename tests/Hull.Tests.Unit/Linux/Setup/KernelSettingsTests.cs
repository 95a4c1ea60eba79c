using System.Runtime.Versioning;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Setup;
using Xunit;

namespace Hull.Tests.Unit.Linux.Setup;

[SupportedOSPlatform("linux")]
public class KernelSettingsTests
{
    static Spec With(IReadOnlyDictionary<string, string>? sysctl = null, string? hostname = "box", params string[] namespaces) =>
        SpecDefaults.Create(false) with
        {
            Hostname = hostname,
            Linux = SpecDefaults.Create(false).Linux! with
            {
                Sysctl = sysctl,
                Namespaces = namespaces.Select(n => new LinuxNamespace { Type = n }).ToList(),
            },
        };

    [Theory]
    [InlineData("net.ipv4.ip_forward", "network")]
    [InlineData("kernel.msgmax", "ipc")]
    [InlineData("fs.mqueue.msg_max", "ipc")]
    [InlineData("kernel.domainname", "uts")]
    public void NamespacedSysctlsAreAllowedInTheirNamespace(string key, string ns)
    {
        KernelSettings.Validate(With(new Dictionary<string, string> { [key] = "1" }, null, ns, "mount"));
    }

    // Messages as runc's validator words them.
    [Theory]
    [InlineData("net.ipv4.ip_forward", "sysctl \"net.ipv4.ip_forward\" is not allowed in the hosts network namespace")]
    [InlineData("kernel.shmmax", "sysctl \"kernel.shmmax\" is not allowed in the hosts ipc namespace")]
    [InlineData("vm.swappiness", "sysctl \"vm.swappiness\" is not in a separate kernel namespace")]
    [InlineData("kernel.hostname", "sysctl \"kernel.hostname\" is not allowed as it conflicts with the OCI \"hostname\" field")]
    [InlineData("net..x", "sysctl \"net..x\" is not a valid name")]
    [InlineData("kernel/../../etc", "sysctl \"kernel/../../etc\" is not a valid name")]
    public void OtherSysctlsAreRefused(string key, string message)
    {
        var e = Assert.Throws<ConfigException>(() => KernelSettings.Validate(With(new Dictionary<string, string> { [key] = "1" }, null, "uts", "mount")));
        Assert.EndsWith(message, e.Message);
        Assert.Equal($"linux.sysctl[\"{key}\"]", e.JsonPath);
    }

    [Fact]
    public void HostnameNeedsAUtsNamespace()
    {
        var e = Assert.Throws<ConfigException>(() => KernelSettings.Validate(With(hostname: "box", namespaces: "mount")));
        Assert.Equal("hostname: unable to set hostname without a private UTS namespace", e.Message);
        KernelSettings.Validate(With(hostname: null, namespaces: "mount"));
    }

    [Fact]
    public void SysctlKeysBecomeProcPaths()
    {
        Assert.Equal("sys/net/ipv4/ip_forward", KernelSettings.SysctlPath("net.ipv4.ip_forward"));
        Assert.Equal("sys/net/ipv4/ip_forward", KernelSettings.SysctlPath("net/ipv4/ip_forward"));
    }

    [Fact]
    public void SettingsGoInRuncsOrder()
    {
        var ops = new FakeProcessOps();
        var spec = With(hostname: "box", namespaces: ["uts", "mount"]) with { Domainname = "example" };
        spec = spec with { Process = spec.Process! with { OomScoreAdj = null } };
        using var proc = ProcFs.Open();
        KernelSettings.Apply(spec, proc, ops);
        Assert.Equal(["hostname box", "domainname example"], ops.Calls);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("/var/run/netns/x", false)]
    public void ANewNetworkNamespaceGetsItsLoopbackUpFirstAJoinedOneIsLeftAlone(string? path, bool up)
    {
        var ops = new FakeProcessOps();
        var spec = With(hostname: "box", namespaces: ["uts", "mount"]);
        spec = spec with
        {
            Process = spec.Process! with { OomScoreAdj = null },
            Linux = spec.Linux! with { Namespaces = [.. spec.Linux.Namespaces!, new LinuxNamespace { Type = "network", Path = path }] },
        };
        using var proc = ProcFs.Open();
        KernelSettings.Apply(spec, proc, ops);
        Assert.Equal(up ? ["lo up", "hostname box"] : ["hostname box"], ops.Calls);
    }
}

[SupportedOSPlatform("linux")]
public class ProcFsTests
{
    [Fact]
    public void ReadsThroughTheVerifiedProcfs()
    {
        using var proc = ProcFs.Open();
        Assert.Equal("Linux\n", proc.Read("sys/kernel/ostype"));
        Assert.Equal(File.ReadAllText("/proc/self/oom_score_adj"), proc.Read("self/oom_score_adj"));
    }

    [Fact]
    public void RefusesWhatIsNotAProcfsRoot()
    {
        var fake = Directory.CreateTempSubdirectory("hull-fakeproc-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(fake, "sys/kernel"));
            var e = Assert.Throws<HullException>(() => ProcFs.Open(fake));
            Assert.Contains("is not the root of a procfs mount", e.Message);
            // A directory inside procfs is not its root either.
            Assert.Throws<HullException>(() => ProcFs.Open("/proc/sys"));
            // Nor a symlink to the real one.
            File.CreateSymbolicLink(Path.Combine(fake, "proc"), "/proc");
            Assert.ThrowsAny<HullException>(() => ProcFs.Open(Path.Combine(fake, "proc")));
        }
        finally
        {
            Directory.Delete(fake, recursive: true);
        }
    }

    [Fact]
    public void NeverLeavesProcfs()
    {
        using var proc = ProcFs.Open();
        Assert.ThrowsAny<HullException>(() => proc.Read("../etc/passwd"));
        Assert.ThrowsAny<HullException>(() => proc.Read("/etc/passwd"));
        // Magic links (the fd of a host file) are refused.
        using var f = File.OpenRead("/etc/hostname");
        Assert.ThrowsAny<HullException>(() => proc.Read($"self/fd/{f.SafeFileHandle.DangerousGetHandle()}"));
    }

    [SkippableFact]
    public void AppliesHostnameDomainnameAndSysctlsInTheContainersNamespaces()
    {
        Skip.IfNot(PrivateNamespace.Available, "needs root for new UTS and IPC namespaces");
        var spec = SpecDefaults.Create(false) with
        {
            Hostname = "hull-box",
            Domainname = "ignored.example",
            Linux = SpecDefaults.Create(false).Linux! with
            {
                Namespaces = [new LinuxNamespace { Type = "uts" }, new LinuxNamespace { Type = "ipc" }, new LinuxNamespace { Type = "mount" }],
                Sysctl = new Dictionary<string, string> { ["kernel.domainname"] = "hull.example", ["kernel.msgmax"] = "4242" },
            },
        };
        var hostName = File.ReadAllText("/proc/sys/kernel/hostname");
        var hostMsgmax = File.ReadAllText("/proc/sys/kernel/msgmax");
        var seen = PrivateNamespace.Run(PrivateNamespace.CLONE_NEWUTS | PrivateNamespace.CLONE_NEWIPC, () =>
        {
            using var proc = ProcFs.Open();
            KernelSettings.Apply(spec, proc, new LibcProcessOps());
            return (File.ReadAllText("/proc/sys/kernel/hostname"), File.ReadAllText("/proc/sys/kernel/domainname"), File.ReadAllText("/proc/sys/kernel/msgmax"));
        });
        Assert.Equal(("hull-box\n", "hull.example\n", "4242\n"), seen);
        Assert.Equal(hostName, File.ReadAllText("/proc/sys/kernel/hostname"));
        Assert.Equal(hostMsgmax, File.ReadAllText("/proc/sys/kernel/msgmax"));
    }
}

[SupportedOSPlatform("linux")]
public class LibcProcessOpsTests
{
    [Fact]
    public void RlimitsAreSetOnAnotherProcessAndRefusalsNameTheLimit()
    {
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "30"))!;
        try
        {
            var ops = new LibcProcessOps();
            Rlimits.Apply([new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 100, Hard = 200 }], child.Id, ops);
            var line = File.ReadAllLines($"/proc/{child.Id}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            Assert.Matches(@"^Max open files\s+100\s+200\s+files", line);
            // A lowered hard limit goes back up only with CAP_SYS_RESOURCE (this VM's root lacks it).
            try
            {
                Rlimits.Apply([new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 300, Hard = 300 }], child.Id, ops);
                Assert.Equal((300UL, 300UL), ops.GetRlimit(child.Id, 7));
            }
            catch (HullException e)
            {
                Assert.Equal("error setting rlimit RLIMIT_NOFILE (soft 300, hard 300): operation not permitted: the hard limit can only be raised above the current 200 with CAP_SYS_RESOURCE", e.Message);
            }
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public void LastCapIsTheKernels()
    {
        Assert.Equal(int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim()), new LibcProcessOps().LastCap);
    }

    [SkippableFact]
    public void CapabilitiesAndNoNewPrivilegesLandOnTheCallingThreadOnly()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root's capabilities to drop");
        var before = Status("/proc/thread-self/status");
        string? seen = null;
        var thread = new Thread(() =>
        {
            var ops = new LibcProcessOps();
            var sets = CapabilitySets.From(SpecDefaults.Create(false).Process!.Capabilities, ops.LastCap, out _);
            ops.SetNoNewPrivileges();
            foreach (var cap in Enumerable.Range(0, ops.LastCap + 1).Where(c => (sets.Bounding & (1UL << c)) == 0)) ops.DropBounding(cap);
            ops.SetCapabilities(sets.Effective, sets.Permitted, sets.Inheritable | (1UL << 5));
            ops.ClearAmbient();
            var raised = ops.RaiseAmbient(5);
            var refused = !ops.RaiseAmbient(10);
            seen = Status("/proc/thread-self/status") + $"raised={raised} refused={refused}";
        });
        thread.Start();
        thread.Join();
        Assert.Contains("CapEff:\t0000000020000420", seen);
        Assert.Contains("CapPrm:\t0000000020000420", seen);
        Assert.Contains("CapInh:\t0000000000000020", seen);
        Assert.Contains("CapBnd:\t0000000020000420", seen);
        Assert.Contains("CapAmb:\t0000000000000020", seen);
        Assert.Contains("NoNewPrivs:\t1", seen);
        Assert.Contains("raised=True refused=True", seen);
        // The test process's other threads keep everything.
        Assert.Equal(before, Status("/proc/thread-self/status"));
    }

    static string Status(string path) =>
        string.Join('\n', File.ReadAllLines(path).Where(l => l.StartsWith("Cap", StringComparison.Ordinal) || l.StartsWith("NoNewPrivs", StringComparison.Ordinal))) + "\n";
}
