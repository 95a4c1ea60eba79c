using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Criu;
using Hull.Plugins.Criu.Host;
using Hull.Plugins.Criu.Native;
using Hull.Plugins.Criu.Rpc;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Criu;

/// <summary>The plugin's RPC client against the installed CRIU, on plain process trees (no container backend needed).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CriuRpcTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("hull-criu-").FullName;

    static string Criu
    {
        get
        {
            Skip.If(CriuMachine.Problem is not null, CriuMachine.Problem);
            return CriuMachine.CriuPath!;
        }
    }

    static CriuCheckpointer Checkpointer(string criu, ListLog? log = null) =>
        new(() => criu, path => new CriuRunner(path), new LinuxCriuHost(), log ?? new ListLog());

    /// <summary>Runs a request; a failure carries CRIU's log errors into the test output.</summary>
    static criu_resp Run(CriuRunner runner, criu_req request, string logPath)
    {
        try { return runner.Run(request, [], null); }
        catch (HullException e) { throw new Xunit.Sdk.XunitException(CriuLog.Quote("the request failed", e, logPath)); }
    }

    string Dir(string name) => Directory.CreateDirectory(Path.Combine(work, name)).FullName;

    /// <summary>What the backend would hand over for a process that is not in a container.</summary>
    static CheckpointTarget PlainTarget(int pid, string dir) =>
        new("plain", dir, "/", new Spec(), pid, [], new Dictionary<string, string>()) { StateDir = dir };

    [SkippableFact]
    public void VersionComesOverRpcAndMatchesTheBinary()
    {
        var criu = Criu;
        var log = new ListLog();
        var version = Checkpointer(criu, log).Version();

        var banner = Tools.Run(criu, ["--version"]).Stdout;
        Assert.Contains($"Version: {version.Major}.{version.Minor}", banner);
        Assert.True(version.CompareTo(CriuVersion.Minimum) >= 0, $"CRIU {version} is older than {CriuVersion.Minimum}");
        Assert.Contains(log.Lines, l => l.Contains($"using CRIU {version.Major}.{version.Minor}") && l.Contains(criu));
    }

    [SkippableFact]
    public void FeatureCheckAgreesWithCriuCheck()
    {
        var criu = Criu;
        var checkpointer = Checkpointer(criu);
        if (CriuMachine.HasDirtyTracking)
            checkpointer.RequireFeatures(memoryTracking: true, lazyPages: false, "pre-dump");
        else
        {
            var e = Assert.Throws<HullException>(() => checkpointer.RequireFeatures(memoryTracking: true, lazyPages: false, "pre-dump"));
            Assert.Equal("pre-dump needs memory dirty tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks", e.Message);
        }

        var lazy = Tools.Run(criu, ["check", "--feature", "uffd-noncoop"]).ExitCode == 0;
        if (lazy)
            checkpointer.RequireFeatures(memoryTracking: false, lazyPages: true, "");
        else
            Assert.Contains("userfaultfd", Assert.Throws<HullException>(() => checkpointer.RequireFeatures(false, true, "")).Message);
    }

    [SkippableFact]
    public void DumpAndRestoreOfAProcessTreeKeepsCounting()
    {
        var criu = Criu;
        using var counter = new CounterProcess();
        counter.WaitUntilAtLeast(20);
        var images = Dir("images");
        var runner = new CriuRunner(criu);

        using (var imagesFd = Fd.OpenDirectory(images))
        {
            var dump = Run(runner, new criu_req
            {
                Type = criu_req_type.Dump,
                Opts = new criu_opts { ImagesDirFd = imagesFd.Value, Pid = counter.Pid, LogFile = "dump.log", LogLevel = 4 },
            }, Path.Combine(images, "dump.log"));
            Assert.True(dump.Success);
        }

        counter.WaitUntilTreeIsGone();
        var atDump = counter.Value;
        Thread.Sleep(500);
        Assert.Equal(atDump, counter.Value);

        int restored;
        using (var imagesFd = Fd.OpenDirectory(images))
        {
            var restore = Run(runner, new criu_req
            {
                Type = criu_req_type.Restore,
                Opts = new criu_opts { ImagesDirFd = imagesFd.Value, LogFile = "restore.log", LogLevel = 4, RstSibling = true },
            }, Path.Combine(images, "restore.log"));
            restored = restore.Restore.Pid;
        }
        counter.AdoptRestored(restored);

        Assert.Equal(counter.Pid, restored);
        Poll.Require(() => counter.Value != atDump, "the restored counter writes again");
        // Counting on from where it stopped: a fresh start would be back near 1.
        Assert.InRange(counter.Value, atDump + 1, atDump + 20);
    }

    [SkippableFact]
    public void LazyMigrationOnLoopbackKeepsCounting()
    {
        var criu = Criu;
        var pipeMax = int.Parse(File.ReadAllText("/proc/sys/fs/pipe-max-size").Trim());
        Skip.If(pipeMax < 4 << 20, $"lazy pages need fs.pipe-max-size >= 4 MiB (it is {pipeMax}; build/setup.sh --criu raises it)");
        Skip.IfNot(Tools.Run(criu, ["check", "--feature", "uffd-noncoop"]).ExitCode == 0, "the kernel has no non-cooperative userfaultfd");

        using var counter = new CounterProcess();
        counter.WaitUntilAtLeast(20);
        var images = Dir("lazy");
        var port = FreeLoopbackPort();
        using var status = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        using var statusWriter = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.Out, status.ClientSafePipeHandle);
        // The checkpointer closes the status fd once used, as runc: give it its own copy.
        var statusFd = Libc.fcntl((int)statusWriter.SafePipeHandle.DangerousGetHandle(), Libc.F_DUPFD_CLOEXEC, 0);

        var dump = Task.Run(() => Checkpointer(criu).Checkpoint(PlainTarget(counter.Pid, counter.Dir), new CheckpointRequest("plain")
        {
            ImagePath = images, LazyPages = true, PageServer = $"127.0.0.1:{port}", StatusFd = statusFd,
        }));
        // Read aside: a dump that fails may leave the status fd open, and the read must not hang the run.
        var ready = Task.Run(status.ReadByte);
        Task.WaitAny([ready, dump], TimeSpan.FromSeconds(60));
        Assert.True(ready.IsCompleted && ready.Result == 0,
            $"expected \\0 on the status fd once lazy pages are served, got {(ready.IsCompleted ? ready.Result : "nothing")}; dump: {(dump.IsCompleted ? dump.Exception?.GetBaseException().Message ?? "finished" : "running")}");
        var atDump = counter.Value;
        Thread.Sleep(300);
        Assert.Equal(atDump, counter.Value);

        // The destination side: the lazy-pages daemon fetches pages from the page server on demand.
        using var lazyPages = StartProcess(criu, "lazy-pages", "--page-server", "--address", "127.0.0.1", "--port", port.ToString(),
            "-D", images, "-o", "lazy-pages.log", "-v4");
        Poll.Require(() => File.Exists(Path.Combine(images, "lazy-pages.socket")), "criu lazy-pages listens", TimeSpan.FromSeconds(30));

        // The source tasks stay frozen until their pages are gone, holding their pids; on one host
        // the copy can only come back in a new pid namespace (a container has one anyway).
        using var restore = StartProcess("unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
            criu, "restore", "-D", images, "--lazy-pages", "-o", "restore.log", "-v4");
        try
        {
            Assert.True(dump.Wait(TimeSpan.FromSeconds(60)), "the lazy dump did not finish: the pages were not all fetched");
            Assert.True(lazyPages.WaitForExit(60_000), "criu lazy-pages did not finish");
            counter.WaitUntilAtLeast(atDump + 5);
            Assert.InRange(counter.Value, atDump + 5, atDump + 200);
        }
        finally
        {
            // Ends CRIU, the restored tree's pid 1, and with it the tree; and a lazy-pages daemon a failure left.
            restore.Kill(entireProcessTree: true);
            restore.WaitForExit();
            lazyPages.Kill(entireProcessTree: true);
            lazyPages.WaitForExit();
        }
    }

    static System.Diagnostics.Process StartProcess(string file, params string[] args) =>
        System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { UseShellExecute = false })!;

    static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [SkippableFact]
    public void LeaveRunningCheckpointTwiceThroughTheCheckpointer()
    {
        var criu = Criu;
        using var counter = new CounterProcess();
        counter.WaitUntilAtLeast(3);
        var checkpointer = Checkpointer(criu);
        var target = PlainTarget(counter.Pid, counter.Dir);

        foreach (var name in new[] { "first", "second" })
        {
            var images = Path.Combine(work, name);
            checkpointer.Checkpoint(target, new CheckpointRequest("plain") { ImagePath = images, LeaveRunning = true });
            Assert.True(File.Exists(Path.Combine(images, "inventory.img")), $"{name}: no images written");
            Assert.True(File.Exists(Path.Combine(images, CriuCheckpointer.DescriptorsFile)));
            Assert.Contains("Dumping finished successfully", File.ReadAllText(Path.Combine(images, "dump.log")));
        }

        var value = counter.Value;
        counter.WaitUntilAtLeast(value + 3);
        Assert.True(counter.IsAlive);
    }

    [SkippableFact]
    public void WorkPathKeepsTheLogsAwayFromTheImages()
    {
        var criu = Criu;
        using var counter = new CounterProcess();
        counter.WaitUntilAtLeast(2);
        var images = Path.Combine(work, "images");
        var workDir = Path.Combine(work, "work");
        Checkpointer(criu).Checkpoint(PlainTarget(counter.Pid, counter.Dir),
            new CheckpointRequest("plain") { ImagePath = images, WorkPath = workDir, LeaveRunning = true });
        Assert.True(File.Exists(Path.Combine(workDir, "dump.log")));
        Assert.False(File.Exists(Path.Combine(images, "dump.log")));
    }

    [SkippableFact]
    public void PreDumpNeedsDirtyTrackingAndLeavesTheProcessRunning()
    {
        var criu = Criu;
        using var counter = new CounterProcess();
        counter.WaitUntilAtLeast(2);
        var images = Path.Combine(work, "pre");
        var request = new CheckpointRequest("plain") { ImagePath = images, PreDump = true };

        if (CriuMachine.HasDirtyTracking)
            Checkpointer(criu).Checkpoint(PlainTarget(counter.Pid, counter.Dir), request);
        else
        {
            var e = Assert.Throws<HullException>(() => Checkpointer(criu).Checkpoint(PlainTarget(counter.Pid, counter.Dir), request));
            Assert.Equal("pre-dump needs memory dirty tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks", e.Message);
            Assert.False(Directory.Exists(images), "a refused pre-dump left its image directory behind");
        }
        var value = counter.Value;
        counter.WaitUntilAtLeast(value + 2);
    }

    [SkippableFact]
    public void AFailedDumpQuotesCriusLogAndNamesIt()
    {
        var criu = Criu;
        var images = Path.Combine(work, "failed");
        // A pid that exists in no process: CRIU fails to seize it.
        var e = Assert.Throws<HullException>(() => Checkpointer(criu).Checkpoint(PlainTarget(int.MaxValue / 2, work),
            new CheckpointRequest("plain") { ImagePath = images }));
        var log = Path.Combine(images, "dump.log");
        Assert.StartsWith("checkpoint of container \"plain\" failed: criu dump failed", e.Message);
        // The reason is CRIU's last error, not the harmless first one it reports as cr_errmsg.
        Assert.DoesNotContain("RLIMIT_NOFILE", e.Message.Split('\n')[0]);
        Assert.Contains($"(see {log})", e.Message);
        Assert.Contains("Error (", e.Message);
    }

    [SkippableFact]
    public void RestoreFromAMissingImageDirectoryIsAClearError()
    {
        var criu = Criu;
        var missing = Path.Combine(work, "nothing-here");
        var e = Assert.Throws<HullException>(() => Checkpointer(criu).Restore(PlainTarget(1, work),
            new RestoreRequest("plain", work) { ImagePath = missing }, new NoCallbacks()));
        Assert.Equal($"cannot restore container \"plain\": the image directory {missing} does not exist (give --image-path the directory a checkpoint was written to)", e.Message);
        Assert.False(Directory.Exists(missing));
    }

    sealed class NoCallbacks : IRestoreCallbacks
    {
        public void ApplyCgroups(int criuPid) => throw new InvalidOperationException("not expected");
        public void SetupNamespaces(int initPid) => throw new InvalidOperationException("not expected");
        public void OrphanPtsMaster(int masterFd) => throw new InvalidOperationException("not expected");
        public void PostRestore(int initPid) => throw new InvalidOperationException("not expected");
    }

    public void Dispose()
    {
        try { Directory.Delete(work, recursive: true); } catch (IOException) { }
    }
}
