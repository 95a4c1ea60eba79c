using System.Diagnostics;
using System.Text.Json.Nodes;
using Hull.Tests.Integration.Criu;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.CheckpointRestore;

/// <summary>hull checkpoint and hull restore of real busybox containers through the installed CRIU.</summary>
public sealed class CheckpointRestoreTests : IDisposable
{
    readonly CriuContainers c = new();

    Runtime Hull => c.Hull;

    /// <summary>A counting container, running, and its counter seen moving.</summary>
    (Bundle Bundle, Counter Counter) RunCounter(string id)
    {
        var data = c.Dir("data");
        var bundle = c.NewBundle(data);
        c.RunDetached(bundle, id);
        var counter = new Counter(data);
        counter.WaitUntilAtLeast(3);
        return (bundle, counter);
    }

    [SkippableFact]
    public void ABusyContainerKeepsCountingAfterRestoreUnderItsId()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-same");
        var (bundle, counter) = RunCounter(id);
        var images = c.Dir("images");

        c.Checkpoint(id, images);
        // The dump ends the container: processes, state and cgroups gone.
        counter.AssertStopped();
        c.AssertGone(id);
        var last = counter.Value;

        var pidFile = Path.Combine(c.Dir("pid"), "pid");
        c.RestoreDetached(bundle, id, images, "--pid-file", pidFile);
        counter.AssertContinuesFrom(last);
        var state = c.State(id);
        Assert.Equal("running", CriuContainers.Status(state));
        var pid = CriuContainers.Pid(state);
        Assert.Equal(pid.ToString(), File.ReadAllText(pidFile));
        Assert.True(Directory.Exists($"/proc/{pid}"), $"the recorded init {pid} is not running");
        // The restored init is in the container's cgroups, which were made again.
        Assert.Contains($":/{id}", File.ReadAllText($"/proc/{pid}/cgroup"));

        Assert.Equal(0, Hull.Cmd("delete", "--force", id).ExitCode);
        counter.AssertStopped();
        c.AssertGone(id);
    }

    [SkippableFact]
    public void APausedContainerIsCheckpointedAndComesBackRunning()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-paused");
        var (bundle, counter) = RunCounter(id);
        Assert.Equal(0, Hull.Cmd("pause", id).ExitCode);
        var last = counter.Value;
        var images = c.Dir("images");

        // CRIU dumps the frozen tree as it is; the frozen cgroup goes with the container.
        c.Checkpoint(id, images);
        c.AssertGone(id);
        Assert.Equal(last, counter.Value);

        // As runc: what comes back runs.
        c.RestoreDetached(bundle, id, images);
        Assert.Equal("running", CriuContainers.Status(c.State(id)));
        counter.AssertContinuesFrom(last);
    }

    [SkippableFact]
    public void ACheckpointRestoresUnderANewId()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-old");
        var (bundle, counter) = RunCounter(id);
        var images = c.Dir("images");
        c.Checkpoint(id, images);
        var last = counter.Value;

        var copy = Runtime.NewId("cr-new");
        c.RestoreDetached(bundle, copy, images);
        counter.AssertContinuesFrom(last);
        var pid = CriuContainers.Pid(c.State(copy));
        var cgroups = File.ReadAllText($"/proc/{pid}/cgroup");
        Assert.Contains($":/{copy}", cgroups);
        Assert.DoesNotContain(id, cgroups);
        c.AssertGone(id);
        // The container's cgroup mount shows its new cgroup, bound from the host anew.
        var mountinfo = File.ReadAllText($"/proc/{pid}/mountinfo");
        Assert.Contains($"/{copy} /sys/fs/cgroup/", mountinfo);
    }

    [SkippableFact]
    public void TheStdioPipesOfADetachedContainerAreReconnected()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-stdio");
        var bundle = c.NewBundle(c.Dir("data"), "i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done");
        var outputs = c.Dir("out");
        var first = Path.Combine(outputs, "first");
        var second = Path.Combine(outputs, "second");

        // The container's stdout and stderr are a pipe to `cat` (as a shim's would be).
        using var before = Piped(first, "run", "-d", "--bundle", bundle.Dir, id);
        WaitForLines(first, 5);
        var images = c.Dir("images");
        c.Checkpoint(id, images);
        Assert.True(before.WaitForExit(10_000), "the reader of the checkpointed container's stdout did not see it end");
        var last = int.Parse(File.ReadAllLines(first).Last());

        using var after = Piped(second, "restore", "-d", "--bundle", bundle.Dir, "--image-path", images, id);
        WaitForLines(second, 3);
        var lines = File.ReadAllLines(second).Select(int.Parse).ToList();
        Assert.Equal(last + 1, lines[0]);
        Assert.Equal(Enumerable.Range(last + 1, lines.Count), lines);

        Assert.Equal(0, Hull.Cmd("delete", "--force", id).ExitCode);
        Assert.True(after.WaitForExit(10_000), "the reader of the restored container's stdout did not see it end");
    }

    /// <summary>hull with stdout and stderr through `cat` into <paramref name="file"/>: the pipe is what the container inherits.</summary>
    Process Piped(string file, params string[] args)
    {
        var quoted = string.Join(' ', ((string[])[Hull.Binary, "--root", Hull.Root, .. args]).Select(a => "'" + a + "'"));
        return Process.Start("/bin/sh", ["-c", $"{quoted} </dev/null 2>&1 | cat > '{file}'"])!;
    }

    static void WaitForLines(string file, int count)
    {
        if (!Poll.Until(() => File.Exists(file) && File.ReadAllLines(file).Length >= count))
            throw new TimeoutException($"{file} did not get {count} lines: {(File.Exists(file) ? File.ReadAllText(file) : "missing")}");
    }

    [SkippableFact]
    public void AForegroundRestoreWaitsForTheContainerAndExitsWithItsStatus()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-fg");
        var data = c.Dir("data");
        // PID 1 gets only the signals it handles: the trap makes SIGTERM end it with 7.
        var bundle = c.NewBundle(data, "trap 'exit 7' TERM; " + CriuContainers.CounterScript);
        c.RunDetached(bundle, id);
        var counter = new Counter(data);
        counter.WaitUntilAtLeast(3);
        var images = c.Dir("images");
        c.Checkpoint(id, images);

        using var restore = c.Start("restore", "--bundle", bundle.Dir, "--image-path", images, id);
        c.WaitForStatus(id, "running");
        counter.WaitUntilAtLeast(counter.Value + 2);
        Assert.Equal(0, Hull.Cmd("kill", id, "TERM").ExitCode);
        Assert.True(restore.WaitForExit(10_000), "hull restore did not exit after its container did");
        Assert.True(restore.ExitCode == 7, $"exit {restore.ExitCode}: {restore.StandardError.ReadToEnd()}");
        // As run: the container is deleted once it has exited.
        c.AssertGone(id);
    }

    [SkippableFact]
    public void LeaveRunningKeepsTheContainerAndASecondCheckpointWorks()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-leave");
        var (bundle, counter) = RunCounter(id);
        var stateBefore = File.ReadAllText(Path.Combine(Hull.Root, id, "state.json"));
        var pid = CriuContainers.Pid(c.State(id));

        var first = c.Dir("images");
        var r = Hull.Cmd("checkpoint", "--leave-running", "--image-path", first, id);
        Assert.True(r.ExitCode == 0, r.ToString());
        // runc once complained here that the container was not destroyed.
        Assert.Equal("", r.Stderr);
        counter.WaitUntilAtLeast(counter.Value + 3);
        Assert.Equal("running", CriuContainers.Status(c.State(id)));
        Assert.Equal(pid, CriuContainers.Pid(c.State(id)));
        Assert.Equal(stateBefore, File.ReadAllText(Path.Combine(Hull.Root, id, "state.json")));

        var second = c.Dir("images");
        c.Checkpoint(id, second, "--leave-running");
        counter.WaitUntilAtLeast(counter.Value + 3);

        // Either image restores; the second one under a new id, while the original still runs elsewhere.
        Assert.Equal(0, Hull.Cmd("delete", "--force", id).ExitCode);
        var copy = Runtime.NewId("cr-leave-copy");
        var last = counter.Value;
        c.RestoreDetached(bundle, copy, second);
        Assert.Equal("running", CriuContainers.Status(c.State(copy)));
        counter.WaitUntilAtLeast(last + 3);
    }

    [SkippableFact]
    public void AutoDedupOnRestoreFreesTheRestoredPages()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-dedup");
        var (bundle, counter) = RunCounter(id);
        var images = c.Dir("images");
        c.Checkpoint(id, images, "--auto-dedup");
        var pages = Directory.GetFiles(images, "pages-*.img");
        Assert.NotEmpty(pages);
        Assert.All(pages, p => Assert.True(AllocatedBytes(p) > 0, $"{p} holds no data after the dump"));
        var last = counter.Value;

        c.RestoreDetached(bundle, id, images, "--auto-dedup");
        counter.AssertContinuesFrom(last);
        // CRIU punches out every page it has read back: the files keep their size but no blocks.
        Assert.All(pages, p => Assert.True(AllocatedBytes(p) == 0, $"{p} still holds {AllocatedBytes(p)} bytes after an --auto-dedup restore"));
    }

    static long AllocatedBytes(string path) =>
        long.Parse(Tools.Run("/usr/bin/stat", ["-c", "%b", path]).Stdout.Trim()) * 512;

    [SkippableFact]
    public void ANewNetworkNamespaceComesBackEmptyByDefault()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-netns");
        var (bundle, counter) = RunCounter(id);
        var images = c.Dir("images");
        // No --empty-ns: hull cannot restore network devices, so the new namespace comes back empty.
        c.Checkpoint(id, images);
        var last = counter.Value;
        c.RestoreDetached(bundle, id, images);
        counter.AssertContinuesFrom(last);
        var pid = CriuContainers.Pid(c.State(id));
        Assert.NotEqual(new FileInfo("/proc/self/ns/net").LinkTarget, new FileInfo($"/proc/{pid}/ns/net").LinkTarget);

        // Saying it explicitly is the same.
        var again = c.Dir("images");
        c.Checkpoint(id, again, "--empty-ns", "network");
        last = counter.Value;
        c.RestoreDetached(bundle, id, again, "--empty-ns", "network");
        counter.AssertContinuesFrom(last);

        var bad = Hull.Cmd("checkpoint", "--empty-ns", "pid", "--image-path", c.Dir("images"), id);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--empty-ns pid", bad.Stderr);
        Assert.Equal("running", CriuContainers.Status(c.State(id)));
    }

    [SkippableTheory]
    [InlineData("soft")]
    [InlineData("full")]
    [InlineData("ignore")]
    public void EveryCgroupModeRoundTrips(string mode)
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-cg-" + mode);
        var (bundle, counter) = RunCounter(id);
        var images = c.Dir("images");
        c.Checkpoint(id, images, "--manage-cgroups-mode", mode);
        var last = counter.Value;
        c.RestoreDetached(bundle, id, images, "--manage-cgroups-mode", mode);
        counter.AssertContinuesFrom(last);
        Assert.Contains($":/{id}", File.ReadAllText($"/proc/{CriuContainers.Pid(c.State(id))}/cgroup"));
    }

    [SkippableFact]
    public void StrictCgroupModeCheckpointsButCannotRestore()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-cg-strict");
        var (bundle, _) = RunCounter(id);
        var images = c.Dir("images");
        c.Checkpoint(id, images, "--manage-cgroups-mode", "strict");

        var r = c.Detached("restore", "-d", "--bundle", bundle.Dir, "--image-path", images, "--manage-cgroups-mode", "strict", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--manage-cgroups-mode strict cannot restore a container", r.Stderr);
        c.AssertGone(id);
        c.RestoreDetached(bundle, id, images);
        Assert.Equal("running", CriuContainers.Status(c.State(id)));
    }

    [SkippableFact]
    public void HooksRunForTheRestoredContainerWithItsNewPid()
    {
        CriuContainers.Require();
        var id = Runtime.NewId("cr-hooks");
        var data = c.Dir("data");
        var bundle = c.NewBundle(data);
        c.RunDetached(bundle, id);
        var counter = new Counter(data);
        counter.WaitUntilAtLeast(3);
        var images = c.Dir("images");
        c.Checkpoint(id, images);

        // The hooks are added for the restore only: each saves the state it was given.
        var seen = c.Dir("hooks");
        bundle.Edit(config =>
        {
            JsonObject Saving(string phase) => new()
            {
                ["path"] = "/bin/sh",
                ["args"] = new JsonArray("sh", "-c", $"cat > {seen}/{phase}"),
            };
            config["hooks"] = new JsonObject
            {
                ["prestart"] = new JsonArray(Saving("prestart")),
                ["createRuntime"] = new JsonArray(Saving("createRuntime")),
                ["poststart"] = new JsonArray(Saving("poststart")),
            };
        });
        c.RestoreDetached(bundle, id, images);
        var pid = CriuContainers.Pid(c.State(id));
        foreach (var phase in new[] { "prestart", "createRuntime", "poststart" })
        {
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(seen, phase)))!;
            Assert.Equal(id, state["id"]!.GetValue<string>());
            Assert.Equal(pid, state["pid"]!.GetValue<int>());
        }
        Assert.Equal("running", JsonNode.Parse(File.ReadAllText(Path.Combine(seen, "poststart")))!["status"]!.GetValue<string>());
    }

    [SkippableFact]
    public void PreDumpSaysWhatTheKernelLacksAndLeavesTheContainerRunning()
    {
        CriuContainers.Require();
        Skip.If(CriuMachine.HasDirtyTracking, "this kernel tracks dirty pages: pre-dump works here, its refusal cannot be seen");
        var id = Runtime.NewId("cr-predump");
        var (_, counter) = RunCounter(id);
        var images = c.Dir("images");
        Directory.Delete(images);

        var r = Hull.Cmd("checkpoint", "--pre-dump", "--image-path", images, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("hull: pre-dump needs memory dirty tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks\n", r.Stderr);
        var parent = Hull.Cmd("checkpoint", "--parent-path", "../parent", "--image-path", images, id);
        Assert.Equal(1, parent.ExitCode);
        Assert.Contains("needs memory dirty tracking (CONFIG_MEM_SOFT_DIRTY)", parent.Stderr);

        Assert.False(Directory.Exists(images), "a refused pre-dump made the image directory");
        Assert.Equal("running", CriuContainers.Status(c.State(id)));
        counter.WaitUntilAtLeast(counter.Value + 3);
    }

    [SkippableFact]
    public void PreDumpThenDumpWithParentPathRestores()
    {
        CriuContainers.Require();
        Skip.IfNot(CriuMachine.HasDirtyTracking, "this kernel has no memory dirty tracking (CONFIG_MEM_SOFT_DIRTY): pre-dump cannot work here");
        var id = Runtime.NewId("cr-predump-ok");
        var (bundle, counter) = RunCounter(id);
        var root = c.Dir("images");
        var parent = Path.Combine(root, "parent");
        var final = Path.Combine(root, "final");
        c.Checkpoint(id, parent, "--pre-dump");
        Assert.Equal("running", CriuContainers.Status(c.State(id)));
        c.Checkpoint(id, final, "--parent-path", "../parent");
        var last = counter.Value;
        c.RestoreDetached(bundle, id, final);
        counter.AssertContinuesFrom(last);
    }

    public void Dispose() => c.Dispose();
}
