using System.Diagnostics;
using System.Text.Json.Nodes;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Lifecycle;

/// <summary>create/start/run/state/kill/delete of real busybox containers with out/hull.</summary>
public sealed class LifecycleTests : IDisposable
{
    readonly Runtime hull;
    readonly List<Bundle> bundles = [];

    public LifecycleTests()
    {
        hull = Runtime.Hull();
    }

    Bundle NewBundle(params string[] args)
    {
        var b = Bundle.Create(args);
        bundles.Add(b);
        return b;
    }

    static string Status(CommandResult state) => JsonNode.Parse(state.Stdout)!["status"]!.GetValue<string>();

    static int Pid(CommandResult state) => JsonNode.Parse(state.Stdout)!["pid"]!.GetValue<int>();

    /// <summary>Alive and not a zombie; a process reaped while we look is not alive.</summary>
    static bool Alive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(" Z ");
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Whether the process has a SIGTERM handler: bit 15-1 of SigCgt in /proc/PID/status.</summary>
    static bool CatchesSigterm(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigCgt:", StringComparison.Ordinal)) is var line
        && (Convert.ToUInt64(line["SigCgt:".Length..].Trim(), 16) & (1UL << 14)) != 0;

    [SkippableFact]
    public void RunTrueExitsZeroAndLeavesNothing()
    {
        Runtime.RequireContainers();
        var b = NewBundle("true");
        var id = Runtime.NewId("true");
        var r = hull.In(b.Dir, "run", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Empty(hull.Ids());
        Assert.Empty(Leftovers.MountsUnder(b.Dir));
        Assert.Empty(Leftovers.CgroupsNamed(id));
    }

    [SkippableFact]
    public void APoststartHookOfRunAskingForTheStateSeesTheContainerRunning()
    {
        Runtime.RequireContainers();
        // Alive while the hook runs, so that its state is the running one.
        var b = NewBundle("sleep", "2");
        var id = Runtime.NewId("poststart");
        var seen = Path.Combine(b.Dir, "seen");
        // run writes the created record with start's save: the hook must find it written already.
        b.Edit(config => config["hooks"] = new JsonObject
        {
            ["poststart"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sh",
                ["args"] = new JsonArray("sh", "-c", $"'{hull.Binary}' --root '{hull.Root}' state {id} > {seen}"),
            }),
        });
        var r = hull.Cmd("run", "--bundle", b.Dir, id);
        Assert.True(r.ExitCode == 0, r.ToString());
        var state = JsonNode.Parse(File.ReadAllText(seen))!;
        Assert.Equal("running", state["status"]!.GetValue<string>());
        Assert.True(state["pid"]!.GetValue<int>() > 0, state.ToJsonString());
    }

    [SkippableFact]
    public void RunExitsWithTheContainersStatus()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sh", "-c", "echo out; echo err >&2; exit 42");
        var r = hull.Cmd("run", "--bundle", b.Dir, Runtime.NewId("exit"));
        Assert.Equal(42, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [SkippableFact]
    public void RunOfAKilledContainerExits128PlusSignal()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sleep", "30");
        var id = Runtime.NewId("killed");
        using var run = StartHull("run", "--bundle", b.Dir, id);
        WaitForStatus(id, "running");
        Assert.Equal(0, hull.Cmd("kill", id, "KILL").ExitCode);
        Assert.True(run.WaitForExit(10_000), "hull run did not exit after its container was killed");
        Assert.Equal(137, run.ExitCode);
        Assert.Empty(hull.Ids());
    }

    [SkippableFact]
    public void RunOfAContainerDeletedMeanwhileExitsWithItsStatus()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sleep", "30");
        var id = Runtime.NewId("deleted");
        using var run = StartHull("run", "--bundle", b.Dir, id);
        WaitForStatus(id, "running");
        Assert.Equal(0, hull.Cmd("delete", "--force", id).ExitCode);
        Assert.True(run.WaitForExit(10_000), "hull run did not exit after its container was deleted");
        Assert.Equal((137, ""), (run.ExitCode, run.StandardError.ReadToEnd()));
        Assert.Empty(hull.Ids());
        Assert.Empty(Leftovers.CgroupsNamed(id));
    }

    [SkippableFact]
    public void RunForwardsSignalsToTheContainer()
    {
        Runtime.RequireContainers();
        // PID 1 gets only signals it handles: the trap makes SIGTERM count.
        var b = NewBundle("sh", "-c", "trap 'exit 7' TERM; while true; do sleep 0.05; done");
        var id = Runtime.NewId("forward");
        using var run = StartHull("run", "--bundle", b.Dir, id);
        WaitForStatus(id, "running");
        var pid = Pid(hull.Cmd("state", id));
        Poll.Require(() => CatchesSigterm(pid), "sh has installed its trap");
        Process.Start("kill", ["-TERM", run.Id.ToString()])!.WaitForExit();
        Assert.True(run.WaitForExit(10_000), "hull run did not exit after SIGTERM");
        Assert.Equal(7, run.ExitCode);
    }

    [SkippableFact]
    public void CreateStartKillDeleteWalkTheStates()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sleep", "30");
        var id = Runtime.NewId("states");
        var pidFile = Path.Combine(b.Dir, "init.pid");
        var create = hull.Detached("create", "--bundle", b.Dir, "--pid-file", pidFile, id);
        Assert.True(create.ExitCode == 0, create.ToString());

        var state = hull.Cmd("state", id);
        Assert.Equal("created", Status(state));
        var pid = Pid(state);
        Assert.Equal(pid.ToString(), File.ReadAllText(pidFile));
        Assert.Contains("hull-init", File.ReadAllText($"/proc/{pid}/cmdline"));
        Assert.Equal("hull-init\n", File.ReadAllText($"/proc/{pid}/comm")); // what ps shows

        Assert.Equal(0, hull.Cmd("start", id).ExitCode);
        Assert.Equal("running", Status(hull.Cmd("state", id)));
        // start returns once the init is released (as runc's): the exec itself follows in the init's time.
        Poll.Require(() => File.ReadAllText($"/proc/{pid}/cmdline") == "sleep\u000030\u0000", "the init has exec'd sleep");

        var again = hull.Cmd("start", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("cannot start an already running container", again.Stderr);

        var refused = hull.Cmd("delete", id);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"cannot delete container {id} that is not stopped: running", refused.Stderr);

        Assert.Equal(0, hull.Cmd("kill", id, "KILL").ExitCode);
        WaitForStatus(id, "stopped");
        Assert.Equal(0, Pid(hull.Cmd("state", id)));
        var killStopped = hull.Cmd("kill", id);
        Assert.Equal(1, killStopped.ExitCode);
        Assert.Contains("container not running", killStopped.Stderr);

        Assert.Equal(0, hull.Cmd("delete", id).ExitCode);
        Assert.Empty(hull.Ids());
        Assert.Equal(1, hull.Cmd("state", id).ExitCode);
    }

    [SkippableFact]
    public void DeleteOfACreatedContainerKillsItsInit()
    {
        Runtime.RequireContainers();
        var b = NewBundle("true");
        var id = Runtime.NewId("created");
        Assert.Equal(0, hull.Detached("create", "--bundle", b.Dir, id).ExitCode);
        var pid = Pid(hull.Cmd("state", id));
        Assert.Equal(0, hull.Cmd("delete", id).ExitCode);
        Assert.False(Alive(pid), $"init {pid} survived delete");
        Assert.Empty(hull.Ids());
        Assert.Empty(Leftovers.MountsUnder(b.Dir));
    }

    [SkippableFact]
    public void DeleteForceStopsARunningContainer()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sleep", "30");
        var id = Runtime.NewId("force");
        Assert.Equal(0, hull.Detached("run", "-d", "--bundle", b.Dir, id).ExitCode);
        Assert.Equal("running", Status(hull.Cmd("state", id)));
        Assert.Equal(0, hull.Cmd("delete", "--force", id).ExitCode);
        Assert.Empty(hull.Ids());
        Assert.Empty(Leftovers.CgroupsNamed(id));
    }

    [SkippableFact]
    public void DeleteForceOfAMissingContainerSucceedsAsRuncs()
    {
        // conmon's cleanup and the shims delete idempotently: runc exits 0 here, and 1 without --force.
        Runtime.RequireContainers();
        var id = Runtime.NewId("gone");
        Assert.Equal(0, hull.Cmd("delete", "--force", id).ExitCode);
        var plain = hull.Cmd("delete", id);
        Assert.Equal(1, plain.ExitCode);
        Assert.Contains("does not exist", plain.Stderr);
    }

    [SkippableFact]
    public void RunKeepLeavesTheStoppedContainer()
    {
        Runtime.RequireContainers();
        var b = NewBundle("true");
        var id = Runtime.NewId("keep");
        Assert.Equal(0, hull.Cmd("run", "--keep", "--bundle", b.Dir, id).ExitCode);
        Assert.Equal("stopped", Status(hull.Cmd("state", id)));
        Assert.Equal(0, hull.Cmd("delete", id).ExitCode);
    }

    [SkippableFact]
    public void ListShowsEveryContainer()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sleep", "30");
        var a = Runtime.NewId("list-a");
        var c = Runtime.NewId("list-b");
        Assert.Equal(0, hull.Detached("create", "--bundle", b.Dir, a).ExitCode);
        Assert.Equal(0, hull.Detached("run", "-d", "--bundle", b.Dir, c).ExitCode);
        var quiet = hull.Cmd("list", "-q");
        Assert.Equal([a, c], quiet.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        var json = JsonNode.Parse(hull.Cmd("list", "--format", "json").Stdout)!.AsArray();
        Assert.Equal(["created", "running"], json.OrderBy(n => n!["id"]!.GetValue<string>()).Select(n => n!["status"]!.GetValue<string>()));
    }

    [SkippableFact]
    public void PreservedFdsReachTheContainerAndNothingElseDoes()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sh", "-c", "ls /proc/self/fd; cat <&3");
        var id = Runtime.NewId("fds");
        var marker = Path.Combine(b.Dir, "passed.txt");
        File.WriteAllText(marker, "through fd 3\n");
        // ls lists its own directory fd too (3 is taken, so 4).
        var r = Tools.Run("/bin/bash", ["-c", $"exec 3<{marker}; exec {Tools.HullPath} --root {hull.Root} run --preserve-fds 1 --bundle {b.Dir} {id}"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0\n1\n2\n3\n4\nthrough fd 3\n", r.Stdout);
    }

    [SkippableFact]
    public void SocketActivationFdsArePassedWithListenEnv()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; cat <&3");
        var id = Runtime.NewId("listen");
        var marker = Path.Combine(b.Dir, "socket.txt");
        File.WriteAllText(marker, "activated\n");
        var r = Tools.Run("/bin/bash", ["-c", $"exec 3<{marker}; export LISTEN_FDS=1 LISTEN_PID=$$; exec {Tools.HullPath} --root {hull.Root} run --bundle {b.Dir} {id}"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1 1\nactivated\n", r.Stdout);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void EachContainerGetsASessionKeyringUnlessNoNewKeyring(bool noNewKeyring)
    {
        Runtime.RequireContainers();
        var b = NewBundle("sleep", "30");
        var id = Runtime.NewId("keyring");
        string[] args = noNewKeyring ? ["create", "--no-new-keyring", "--bundle", b.Dir, id] : ["create", "--bundle", b.Dir, id];
        Assert.Equal(0, hull.Detached(args).ExitCode);
        // /proc/keys: "... keyring ... <description>: ..." for keys the reader may view.
        var named = File.ReadAllLines("/proc/keys").Any(l => l.Contains($" {id}: ", StringComparison.Ordinal));
        Assert.Equal(!noNewKeyring, named);
    }

    [SkippableFact]
    public void MissingExecutableFailsCreateAndLeavesNothing()
    {
        Runtime.RequireContainers();
        var b = NewBundle("no-such-binary");
        var id = Runtime.NewId("nobin");
        var r = hull.Detached("create", "--bundle", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("hull: unable to start container process: exec: \"no-such-binary\": executable file not found in $PATH\n", r.Stderr);
        AssertNothingLeft(b, id);
    }

    [SkippableFact]
    public void MissingRootfsFailsAndLeavesNothing()
    {
        Runtime.RequireContainers();
        var b = NewBundle("true");
        b.Edit(c => c["root"]!["path"] = "no-such-rootfs");
        var id = Runtime.NewId("norootfs");
        var r = hull.Cmd("run", "--bundle", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no-such-rootfs", r.Stderr);
        AssertNothingLeft(b, id);
    }

    [SkippableFact]
    public void MalformedConfigFailsAndLeavesNothing()
    {
        Runtime.RequireContainers();
        var b = NewBundle("true");
        File.WriteAllText(b.ConfigPath, "{ \"process\": ");
        var id = Runtime.NewId("badjson");
        var r = hull.Detached("create", "--bundle", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("hull: ", r.Stderr);
        Assert.Contains("config.json", r.Stderr);
        AssertNothingLeft(b, id);
    }

    [SkippableTheory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void UnsafeIdsAreRefused(string id)
    {
        Runtime.RequireContainers();
        var b = NewBundle("true");
        var r = hull.Detached("create", "--bundle", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("id", r.Stderr);
        Assert.Empty(hull.Ids());
        Assert.False(Directory.Exists(Path.Combine(hull.Root, "..", "escape")));
    }

    [SkippableFact]
    public void DuplicateIdIsRefusedAndTheFirstContainerSurvives()
    {
        Runtime.RequireContainers();
        var b = NewBundle("sleep", "30");
        var id = Runtime.NewId("dup");
        Assert.Equal(0, hull.Detached("create", "--bundle", b.Dir, id).ExitCode);
        var r = hull.Detached("create", "--bundle", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("already exists", r.Stderr);
        Assert.Equal("created", Status(hull.Cmd("state", id)));
    }

    [SkippableFact]
    public void UnknownContainerIsAClearError()
    {
        Runtime.RequireContainers();
        foreach (var cmd in new[] { "state", "start", "kill", "delete" })
        {
            var r = hull.Cmd(cmd, "no-such-container");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("does not exist", r.Stderr);
        }
    }

    void AssertNothingLeft(Bundle b, string id)
    {
        Assert.Empty(hull.Ids());
        Assert.Empty(Leftovers.MountsUnder(b.Dir));
        Assert.Empty(Leftovers.CgroupsNamed(id));
        Assert.Empty(Leftovers.ProcessesHolding(hull.Root));
        Assert.Empty(Leftovers.ProcessesHolding(b.Dir));
    }

    Process StartHull(params string[] args)
    {
        var psi = new ProcessStartInfo(hull.Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--root", hull.Root, .. args]) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    void WaitForStatus(string id, string status)
    {
        if (Poll.Until(() => hull.Cmd("state", id) is { ExitCode: 0 } r && Status(r) == status, TimeSpan.FromSeconds(10))) return;
        Assert.Fail($"container {id} did not become {status}: {hull.Cmd("state", id)}");
    }

    public void Dispose()
    {
        hull.Dispose();
        foreach (var b in bundles) b.Dispose();
    }
}
