using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hull.Tests.Integration.Exec;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Security;

/// <summary>
/// The container escapes that shaped runc, one test (at least) each, named after the CVE: what the
/// attacking image or process tries, and that it lands nowhere on the host.
/// </summary>
public sealed class CveRegressionTests : IDisposable
{
    readonly Runtime hull = Runtime.Hull();
    readonly List<IDisposable> owned = [];
    readonly string hostDir = Directory.CreateTempSubdirectory("hull-cve-host-").FullName;

    T Own<T>(T d) where T : IDisposable
    {
        owned.Add(d);
        return d;
    }

    Bundle NewBundle(params string[] args)
    {
        Runtime.RequireContainers();
        return Own(Bundle.Create(args));
    }

    CommandResult Run(Bundle b, params string[] flags) => hull.Cmd(["run", .. flags, "--bundle", b.Dir, Runtime.NewId("cve")]);

    /// <summary>
    /// exec's process starts as hull-init too: while it is still hull-init, a process that reaches
    /// its /proc/PID/exe (here: the test, holding it across the exec, as the attack does) must not
    /// be able to write the host's binary. The container's cgroup is frozen so the process can be
    /// caught before it execs.
    /// </summary>
    [SkippableFact]
    public void Cve_2019_5736_ExecsHullInitCannotBeOverwrittenThroughProcExe()
    {
        Runtime.RequireContainers();
        var c = Own(LiveContainer.Start(hull, "cve-2019-5736"));
        var freezer = File.ReadAllLines($"/proc/{c.InitPid}/cgroup").Select(l => l.Split(':', 3)).FirstOrDefault(f => f[1] == "freezer");
        Skip.If(freezer is null, "no v1 freezer controller to catch exec's process with");
        var state = Path.Combine("/sys/fs/cgroup/freezer", freezer[2].TrimStart('/'), "freezer.state");
        var initBinary = Path.Combine(Path.GetDirectoryName(Tools.HullPath)!, "hull-init");
        var before = SHA256.HashData(File.ReadAllBytes(initBinary));
        var procs = Path.Combine(Path.GetDirectoryName(state)!, "cgroup.procs");

        File.WriteAllText(state, "FROZEN");
        try
        {
            var attack = c.Shell(
                "$RT exec --ignore-paused $ID true & " +
                $"while [ $(wc -l < {procs}) -lt 2 ]; do sleep 0.01; done; " +
                $"pid=$(grep -vx {c.InitPid} {procs} | head -1); exec 3</proc/$pid/exe || exit 2; " +
                $"echo THAWED > {state}; wait; sleep 0.2; " +
                "echo pwned >> /proc/self/fd/3 && echo WRITTEN; head -c 4 /proc/self/fd/3 | grep -q ELF && echo READABLE");
            Assert.DoesNotContain("WRITTEN", attack.Stdout);
            Assert.Contains("READABLE", attack.Stdout);
        }
        finally
        {
            File.WriteAllText(state, "THAWED");
        }
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(initBinary)));
    }

    [SkippableFact]
    public void Cve_2024_21626_TheInitAndExecGetOnlyStdioAndThePreservedFds()
    {
        var b = NewBundle("sh", "-c", ExecTests.OpenFds);
        Assert.Equal("0\n1\n2\n", Run(b).Stdout);
        File.WriteAllText(Path.Combine(b.Dir, "extra"), "x");
        var preserved = Tools.Run("/bin/sh", ["-c", $"cd {b.Dir}; {hull.Binary} --root {hull.Root} run --preserve-fds 1 --bundle {b.Dir} {Runtime.NewId("cve-fds")} 3<extra 4<extra"]);
        Assert.Equal("0\n1\n2\n3\n", preserved.Stdout);

        var c = Own(LiveContainer.Start(hull, "cve-2024-21626"));
        Assert.Equal("0\n1\n2\n", c.Exec("sh", "-c", ExecTests.OpenFds).Stdout);
    }

    /// <summary>A cwd that resolves through an fd to a directory outside the container (the attack
    /// used a leaked host fd; here the caller passes one on purpose) is refused, for the init's
    /// process.cwd (hull refuses to create a cwd through a magic link in the rootfs) and for exec
    /// --cwd (the working directory is checked to be under the root, as runc's); so is every other
    /// fd number hull-init might hold.</summary>
    [SkippableFact]
    public void Cve_2024_21626_ACwdOutsideTheRootThroughProcSelfFdIsRefused()
    {
        var b = NewBundle("pwd");
        b.Edit(cfg => cfg["process"]!["cwd"] = "/proc/self/fd/3");
        var init = Tools.Run("/bin/sh", ["-c", $"{hull.Binary} --root {hull.Root} run --preserve-fds 1 --bundle {b.Dir} {Runtime.NewId("cve-cwd")} 3<{hostDir}"]);
        Assert.Equal(1, init.ExitCode);
        Assert.Equal("", init.Stdout);
        Assert.StartsWith("hull: unable to start container process: ", init.Stderr);
        Assert.Empty(hull.Ids());

        var c = Own(LiveContainer.Start(hull, "cve-cwd"));
        var exec = c.Shell($"$RT exec --preserve-fds 1 --cwd /proc/self/fd/3 $ID pwd 3<{hostDir}");
        Assert.Equal(255, exec.ExitCode);
        Assert.Contains("current working directory is outside of container mount namespace root -- possible container breakout detected", exec.Stderr);
        for (var fd = 3; fd < 32; fd++)
        {
            var r = c.ExecWith(["--cwd", $"/proc/self/fd/{fd}"], "pwd");
            Assert.True(r.ExitCode == 255, $"exec --cwd /proc/self/fd/{fd} ran: {r}");
        }
    }

    /// <summary>A mount target that is a symlink in the image (absolute, or climbing out with
    /// ../) resolves inside the rootfs, never on the host; a masked path too.</summary>
    [SkippableFact]
    public void Cve_2021_30465_SymlinkedMountTargetsAndMaskedPathsStayInTheRootfs()
    {
        var b = NewBundle("sh", "-c", "cat /evil-mask/secret 2>&1; grep -c tmpfs /proc/self/mountinfo");
        var target = Path.Combine(hostDir, "target");
        var secretDir = Path.Combine(hostDir, "masked");
        Directory.CreateDirectory(target);
        Directory.CreateDirectory(secretDir);
        File.WriteAllText(Path.Combine(secretDir, "secret"), "host secret\n");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "evil-abs"), target);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "evil-rel"), "../../../../../../../../.." + target);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "evil-mask"), secretDir);
        b.Edit(cfg =>
        {
            cfg["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/evil-abs", ["type"] = "tmpfs", ["source"] = "tmpfs" });
            cfg["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/evil-rel", ["type"] = "tmpfs", ["source"] = "tmpfs" });
            cfg["linux"]!["maskedPaths"]!.AsArray().Add("/evil-mask");
        });
        var r = Run(b);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("host secret", r.Stdout);
        Assert.Empty(Leftovers.MountsUnder(hostDir));
        Assert.Empty(Directory.GetFileSystemEntries(target));
        Assert.Equal("host secret\n", File.ReadAllText(Path.Combine(secretDir, "secret")));
    }

    /// <summary>/proc that is a symlink in the image, or a mount over /proc or inside it, is
    /// refused, so sysctls (and labels) can only ever be written into the real procfs.</summary>
    [SkippableFact]
    public void Cve_2019_16884_ProcRedirectionIsRefusedAndSysctlsReachOnlyTheRealProcfs()
    {
        var fake = Path.Combine(hostDir, "fakeproc");
        Directory.CreateDirectory(Path.Combine(fake, "sys/net/ipv4"));
        File.WriteAllText(Path.Combine(fake, "sys/net/ipv4/ip_forward"), "0\n");
        static void Sysctl(JsonObject cfg) => cfg["linux"]!["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = "1" };

        var symlinked = NewBundle("true");
        Directory.Delete(Path.Combine(symlinked.Rootfs, "proc"));
        File.CreateSymbolicLink(Path.Combine(symlinked.Rootfs, "proc"), fake);
        symlinked.Edit(Sysctl);
        var r1 = Run(symlinked);
        Assert.Equal(1, r1.ExitCode);
        Assert.Contains("/proc in the rootfs goes through a symlink", r1.Stderr);

        var inside = NewBundle("true");
        inside.Edit(cfg =>
        {
            Sysctl(cfg);
            cfg["mounts"]!.AsArray().Add(new JsonObject
            {
                ["destination"] = "/proc/sys/net/ipv4", ["type"] = "bind", ["source"] = Path.Combine(fake, "sys/net/ipv4"), ["options"] = new JsonArray("rbind"),
            });
        });
        var r2 = Run(inside);
        Assert.Equal(1, r2.ExitCode);
        Assert.Contains("cannot be mounted because it is inside /proc", r2.Stderr);
        Assert.Equal("0\n", File.ReadAllText(Path.Combine(fake, "sys/net/ipv4/ip_forward")));

        var real = NewBundle("cat", "/proc/sys/net/ipv4/ip_forward");
        real.Edit(Sysctl);
        Assert.Equal("1\n", Run(real).Stdout);
        Assert.Empty(hull.Ids());
    }

    /// <summary>A /dev/null that is a symlink (to a host file, or to a procfs file that masking
    /// would then expose writable) is refused, not used as the source of masks.</summary>
    [SkippableFact]
    public void Cve_2025_31133_ASymlinkedDevNullIsRefused()
    {
        var victim = Path.Combine(hostDir, "victim");
        File.WriteAllText(victim, "victim\n");
        foreach (var link in new[] { victim, "/proc/sys/kernel/core_pattern" })
        {
            var b = NewBundle("true");
            Directory.CreateDirectory(Path.Combine(b.Rootfs, "dev"));
            File.CreateSymbolicLink(Path.Combine(b.Rootfs, "dev", "null"), link);
            // No /dev tmpfs: /dev is the image's.
            b.Edit(cfg => cfg["mounts"] = new JsonArray([.. cfg["mounts"]!.AsArray().Where(m => m!["destination"]!.GetValue<string>() != "/dev").Select(m => m!.DeepClone())]));
            var r = Run(b);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("/dev/null in the rootfs is a symlink", r.Stderr);
            Assert.Empty(Leftovers.MountsUnder(b.Dir));
        }
        Assert.Equal("victim\n", File.ReadAllText(victim));
        Assert.Empty(hull.Ids());
    }

    [SkippableFact]
    public void Cve_2022_29162_TheInheritableSetIsEmptyUnlessTheConfigAsks()
    {
        static string Inheritable(CommandResult r) => r.Stdout.Split('\n').Single(l => l.StartsWith("CapInh:"));
        var b = NewBundle("cat", "/proc/self/status");
        Assert.Equal("CapInh:\t0000000000000000", Inheritable(Run(b)));

        var c = Own(LiveContainer.Start(hull, "cve-2022-29162"));
        Assert.Equal("CapInh:\t0000000000000000", Inheritable(c.ExecWith(["--cap", "CAP_NET_ADMIN", "--cap", "CAP_SYS_ADMIN"], "cat", "/proc/self/status")));

        var asked = NewBundle("cat", "/proc/self/status");
        asked.Edit(cfg => cfg["process"]!["capabilities"]!["inheritable"] = new JsonArray("CAP_KILL"));
        Assert.Equal("CapInh:\t0000000000000020", Inheritable(Run(asked)));
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        hull.Dispose();
        Directory.Delete(hostDir, recursive: true);
    }
}
