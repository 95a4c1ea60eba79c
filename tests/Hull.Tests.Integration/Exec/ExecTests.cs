using System.Diagnostics;
using System.Text.Json.Nodes;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Exec;

/// <summary>`hull exec`, flag by flag, in running busybox containers.</summary>
public sealed class ExecTests : IDisposable
{
    readonly Runtime hull = Runtime.Hull();
    readonly List<LiveContainer> containers = [];

    LiveContainer Container(Action<JsonObject>? edit = null, bool start = true)
    {
        Runtime.RequireContainers();
        var c = LiveContainer.Start(hull, "exec", edit, start);
        containers.Add(c);
        return c;
    }

    static string Status(LiveContainer c) => c.State["status"]!.GetValue<string>();

    [SkippableFact]
    public void TheProcessesExitStatusIsHulls()
    {
        var c = Container();
        var r = c.Exec("sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal((3, "out\n", "err\n"), (r.ExitCode, r.Stdout, r.Stderr));
        Assert.Equal(137, c.Exec("sh", "-c", "kill -9 $$").ExitCode);
    }

    [SkippableFact]
    public void StdinReachesTheProcess()
    {
        var c = Container();
        var r = Tools.Run(hull.Binary, ["--root", hull.Root, "exec", c.Id, "cat"], stdin: "from stdin\n");
        Assert.Equal((0, "from stdin\n"), (r.ExitCode, r.Stdout));
    }

    [SkippableFact]
    public void TheProcessIsInEveryNamespaceAndTheCgroupOfTheContainer()
    {
        var c = Container(cfg => cfg["hostname"] = "inside");
        var init = c.InitPid;
        var r = c.Exec("sh", "-c", "hostname; echo $$; for ns in mnt pid net ipc uts; do readlink /proc/self/ns/$ns; done");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("inside", lines[0]);
        Assert.NotEqual("1", lines[1]);
        foreach (var (ns, link) in new[] { "mnt", "pid", "net", "ipc", "uts" }.Zip(lines[2..]))
            Assert.Equal(new FileInfo($"/proc/{init}/ns/{ns}").LinkTarget, link);
        var cgroups = c.Exec("cat", "/proc/self/cgroup").Stdout;
        Assert.Equal(File.ReadAllText($"/proc/{init}/cgroup"), cgroups);
    }

    [SkippableFact]
    public void AMissingCommandFailsWith255AndRuncsMessage()
    {
        var c = Container();
        var r = c.Exec("no-such-command");
        Assert.Equal(255, r.ExitCode);
        Assert.Equal("hull: exec failed: unable to start container process: exec: \"no-such-command\": executable file not found in $PATH\n", r.Stderr);
    }

    [SkippableFact]
    public void AStoppedContainerIsRefused()
    {
        var c = Container(cfg => cfg["process"]!["args"] = new JsonArray("true"));
        var deadline = Environment.TickCount64 + 10_000;
        while (Status(c) != "stopped" && Environment.TickCount64 < deadline) Thread.Sleep(20);
        var r = c.Exec("true");
        Assert.Equal(255, r.ExitCode);
        Assert.Equal("hull: exec failed: cannot exec in a stopped container\n", r.Stderr);
    }

    [SkippableFact]
    public void APausedContainerIsRefusedUnlessIgnorePausedWhichWaitsForResume()
    {
        var c = Container();
        var pause = hull.Cmd("pause", c.Id);
        Skip.If(pause.ExitCode != 0 && pause.Stderr.Contains("not provided"), "this build has no pause: " + pause.Stderr);
        Assert.True(pause.ExitCode == 0, pause.ToString());
        var r = c.Exec("true");
        Assert.Equal(255, r.ExitCode);
        Assert.Equal("hull: exec failed: cannot exec in a paused container (use --ignore-paused to override)\n", r.Stderr);

        using var exec = Process.Start(new ProcessStartInfo(hull.Binary, ["--root", hull.Root, "exec", "--ignore-paused", c.Id, "echo", "resumed"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        // The process joins the frozen cgroup and waits there, as runc's does.
        Assert.False(exec.WaitForExit(1000), "exec --ignore-paused ran in a frozen container");
        Assert.Equal(0, hull.Cmd("resume", c.Id).ExitCode);
        Assert.True(exec.WaitForExit(20_000), "exec did not finish after resume");
        Assert.Equal((0, "resumed\n"), (exec.ExitCode, exec.StandardOutput.ReadToEnd()));
    }

    [SkippableFact]
    public void ACreatedContainerTakesExecAsRuncs()
    {
        var c = Container(start: false);
        var r = c.Exec("echo", "before start");
        Assert.Equal((0, "before start\n"), (r.ExitCode, r.Stdout));
        Assert.Equal("created", Status(c));
    }

    [SkippableFact]
    public void CwdEnvUserAndGroups()
    {
        var c = Container();
        var r = c.ExecWith(["--cwd", "/tmp", "-e", "A=1", "--env", "B=two", "-u", "1000:1001", "-g", "10", "--additional-gids", "11"],
            "sh", "-c", "pwd; echo $A $B; id -u; id -g; id -G; echo $HOME");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("/tmp\n1 two\n1000\n1001\n1001 10 11\n/\n", r.Stdout);
    }

    [SkippableFact]
    public void HomeComesFromTheContainersPasswd()
    {
        var c = Container();
        Assert.Equal("/root\n", c.Exec("sh", "-c", "echo $HOME").Stdout);
    }

    [SkippableFact]
    public void CapAddsACapabilityButNeverAnInheritableOne()
    {
        var c = Container();
        static ulong Mask(string status, string field) =>
            Convert.ToUInt64(status.Split('\n').First(l => l.StartsWith(field)).Split('\t')[1], 16);
        var plain = c.Exec("cat", "/proc/self/status").Stdout;
        var added = c.ExecWith(["--cap", "CAP_NET_ADMIN", "-c", "CAP_SYS_TIME"], "cat", "/proc/self/status").Stdout;
        const ulong netAdmin = 1UL << 12, sysTime = 1UL << 25;
        Assert.Equal(0UL, Mask(plain, "CapEff:") & (netAdmin | sysTime));
        foreach (var set in new[] { "CapEff:", "CapPrm:", "CapBnd:" })
            Assert.Equal(netAdmin | sysTime, Mask(added, set) & (netAdmin | sysTime));
        Assert.Equal(0UL, Mask(added, "CapInh:"));
    }

    [SkippableFact]
    public void NoNewPrivsFlag()
    {
        var c = Container(cfg => cfg["process"]!["noNewPrivileges"] = false);
        Assert.Contains("NoNewPrivs:\t0", c.Exec("cat", "/proc/self/status").Stdout);
        Assert.Contains("NoNewPrivs:\t1", c.ExecWith(["--no-new-privs"], "cat", "/proc/self/status").Stdout);
    }

    [SkippableFact]
    public void TheContainersRlimitsApply()
    {
        var c = Container(cfg => cfg["process"]!["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["hard"] = 777, ["soft"] = 555 }));
        Assert.Equal("555\n777\n", c.Exec("sh", "-c", "ulimit -n; ulimit -Hn").Stdout);
    }

    [SkippableFact]
    public void DetachWithAPidFile()
    {
        var c = Container();
        var pidFile = Path.Combine(c.Bundle.Dir, "exec.pid");
        var watch = Stopwatch.StartNew();
        var r = hull.Detached("exec", "-d", "--pid-file", pidFile, c.Id, "sleep", "30");
        Assert.Equal(0, r.ExitCode);
        Assert.True(watch.ElapsedMilliseconds < 20_000);
        var pid = int.Parse(File.ReadAllText(pidFile));
        Assert.Equal("sleep\030\0", File.ReadAllText($"/proc/{pid}/cmdline"));
        Assert.Contains(pid, PsJson(c));
    }

    /// <summary>The shell's own open fds (a glob's directory fd is closed again before the test).</summary>
    internal const string OpenFds = "cd /proc/self/fd; for f in *; do [ -e $f ] && echo $f; done; true";

    [SkippableFact]
    public void PreserveFdsPassesExactlyTheGivenFds()
    {
        var c = Container();
        File.WriteAllText(Path.Combine(c.Bundle.Dir, "three"), "fd three\n");
        File.WriteAllText(Path.Combine(c.Bundle.Dir, "four"), "fd four\n");
        var r = c.Shell($"cd {c.Bundle.Dir}; $RT exec --preserve-fds 2 $ID sh -c 'cat /proc/self/fd/3 /proc/self/fd/4; {OpenFds}' 3<three 4<four 5<three");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("fd three\nfd four\n0\n1\n2\n3\n4\n", r.Stdout);
        var none = c.Shell($"cd {c.Bundle.Dir}; $RT exec $ID sh -c '{OpenFds}' 3<three");
        Assert.Equal("0\n1\n2\n", none.Stdout);
    }

    [SkippableFact]
    public void AProcessJson()
    {
        var c = Container();
        var file = Path.Combine(c.Bundle.Dir, "process.json");
        File.WriteAllText(file, """{"args":["sh","-c","pwd; echo $X; id -u"],"cwd":"/etc","env":["PATH=/bin","X=from-json"],"user":{"uid":7,"gid":7}}""");
        var r = c.ExecWith(["-p", file]);
        Assert.Equal((0, "/etc\nfrom-json\n7\n"), (r.ExitCode, r.Stdout));
    }

    [SkippableFact]
    public void ACgroupFlagPutsTheProcessInASubCgroup()
    {
        var c = Container();
        var line = File.ReadAllLines($"/proc/{c.InitPid}/cgroup").FirstOrDefault(l => l.Split(':')[1] == "pids");
        Skip.If(line is null, "no v1 pids controller on this host");
        var dir = Path.Combine("/sys/fs/cgroup/pids", line.Split(':')[2].TrimStart('/'), "sub");
        Directory.CreateDirectory(dir);
        var r = c.ExecWith(["--cgroup", "pids:sub"], "cat", "/proc/self/cgroup");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(":pids:" + line.Split(':')[2] + "/sub\n", r.Stdout);
        var bad = c.ExecWith(["--cgroup", "pids:../escape"], "true");
        Assert.Equal(255, bad.ExitCode);
        Assert.Contains("invalid --cgroup argument", bad.Stderr);
    }

    [SkippableFact]
    public void PsListsTheContainersProcesses()
    {
        var c = Container();
        Assert.Equal(0, hull.Detached("exec", "-d", c.Id, "sleep", "31").ExitCode);
        var pids = PsJson(c);
        Assert.Equal(2, pids.Count);
        Assert.Contains(c.InitPid, pids);

        var table = hull.Cmd("ps", c.Id);
        Assert.Equal(0, table.ExitCode);
        var lines = table.Stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("UID", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.EndsWith("sleep 31"));

        var custom = hull.Cmd("ps", c.Id, "-o", "pid,comm");
        Assert.Equal($"{"PID",5} COMMAND", custom.Stdout.Split('\n')[0]);
        Assert.Equal(3, custom.Stdout.TrimEnd('\n').Split('\n').Length);

        var noPid = hull.Cmd("ps", c.Id, "-o", "comm");
        Assert.Equal(1, noPid.ExitCode);
        Assert.Contains("couldn't find PID field in ps output", noPid.Stderr);
    }

    IReadOnlyList<int> PsJson(LiveContainer c)
    {
        var r = hull.Cmd("ps", "--format", "json", c.Id);
        Assert.True(r.ExitCode == 0, r.ToString());
        return [.. JsonNode.Parse(r.Stdout)!.AsArray().Select(n => n!.GetValue<int>())];
    }

    public void Dispose()
    {
        foreach (var c in containers) c.Dispose();
        hull.Dispose();
    }
}
