using System.IO.Pipes;
using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Criu;
using Hull.Plugins.Criu.Native;
using Hull.Plugins.Criu.Rpc;
using Xunit;

namespace Hull.Tests.Unit.Criu;

/// <summary>The checkpointer's order of work against a scripted CRIU: nothing here runs criu.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CriuCheckpointerTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("hull-criu-unit-").FullName;
    readonly FakeRunner runner = new();
    readonly FakeHost host = new();
    int locates;

    public CriuCheckpointerTests()
    {
        runner.Answer = r => r.Type switch
        {
            criu_req_type.Version => FakeRunner.Version(4, 2, 1),
            criu_req_type.FeatureCheck => new criu_resp { Type = r.Type, Success = true, Features = new criu_features { MemTrack = false, LazyPages = true } },
            _ => new criu_resp { Type = r.Type, Success = true },
        };
    }

    CriuCheckpointer Checkpointer() => new(() => { locates++; return "/usr/local/sbin/criu"; }, _ => runner, host, new NullLog());

    string Images => Path.Combine(work, "images");

    [Fact]
    public void TheVersionIsAskedOnceAndAnOldCriuIsRefused()
    {
        var checkpointer = Checkpointer();
        checkpointer.EnsureAvailable();
        checkpointer.EnsureAvailable();
        Assert.Single(runner.Requests, r => r.Type == criu_req_type.Version);
        Assert.Equal(1, locates);

        runner.Answer = _ => FakeRunner.Version(3, 15, 2);
        var e = Assert.Throws<HullException>(() => Checkpointer().EnsureAvailable());
        Assert.Equal("/usr/local/sbin/criu is CRIU 3.15.2, but checkpoint/restore need CRIU 3.16 or newer", e.Message);
    }

    [Fact]
    public void ACriuWithoutTheVersionRequestIsRefusedNamingTheVersionNeeded()
    {
        runner.Answer = r => new criu_resp { Type = r.Type, Success = false };
        var e = Assert.Throws<HullException>(() => Checkpointer().EnsureAvailable());
        Assert.Equal("cannot ask /usr/local/sbin/criu for its version (criu version failed): checkpoint/restore need CRIU 3.16 or newer", e.Message);
    }

    [Fact]
    public void WithoutCriuCheckpointFailsAtOnceAndTheRestOfThePluginStillWorks()
    {
        var plugin = new CriuPlugin();
        var context = new PluginContext(new RuntimeOptions(null, CriuPath: "/nonexistent/criu"), new NullLog(), PlatformInfo.Current);
        // Creating the checkpointer (what every command's backend may do) must not look for CRIU.
        var checkpointer = plugin.CreateCheckpointer(context);

        var e = Assert.Throws<HullException>(() =>
            checkpointer.Checkpoint(Targets.Plain(), new CheckpointRequest("c1") { ImagePath = Images }));
        Assert.Equal("checkpoint/restore need CRIU, but --criu /nonexistent/criu is not an executable file", e.Message);
        Assert.False(Directory.Exists(Images));
    }

    [Fact]
    public void PreDumpOnAKernelWithoutDirtyTrackingFailsBeforeTouchingAnything()
    {
        var e = Assert.Throws<HullException>(() => Checkpointer().Checkpoint(Targets.Plain(),
            new CheckpointRequest("c1") { ImagePath = Images, PreDump = true, ParentPath = "../pre0" }));

        Assert.Equal("pre-dump needs memory dirty tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks", e.Message);
        Assert.DoesNotContain(runner.Requests, r => r.Type is criu_req_type.PreDump or criu_req_type.Dump);
        Assert.False(Directory.Exists(Images));
        var check = Assert.Single(runner.Requests, r => r.Type == criu_req_type.FeatureCheck);
        Assert.True(check.Features.MemTrack);
        Assert.False(check.Features.HasLazyPages);
    }

    [Fact]
    public void ADumpOntoAParentNeedsDirtyTrackingToo()
    {
        var e = Assert.Throws<HullException>(() => Checkpointer().Checkpoint(Targets.Plain(),
            new CheckpointRequest("c1") { ImagePath = Images, ParentPath = "../pre0" }));
        Assert.StartsWith("--parent-path (dumping only the pages changed since the parent) needs memory dirty tracking (CONFIG_MEM_SOFT_DIRTY)", e.Message);
    }

    [Fact]
    public void LazyPagesAreCheckedForFirst()
    {
        runner.Answer = r => r.Type switch
        {
            criu_req_type.Version => FakeRunner.Version(4, 2),
            _ => new criu_resp { Type = r.Type, Success = true, Features = new criu_features { LazyPages = false } },
        };
        var e = Assert.Throws<HullException>(() => Checkpointer().Checkpoint(Targets.Plain(),
            new CheckpointRequest("c1") { ImagePath = Images, LazyPages = true }));
        Assert.StartsWith("lazy migration (--lazy-pages) needs userfaultfd in the kernel (CONFIG_USERFAULTFD) and CRIU 4.2", e.Message);
        Assert.False(Directory.Exists(Images));
    }

    [Fact]
    public void ACheckpointWritesTheDescriptorsAndHandsCriuTheDirectories()
    {
        host.Stdio = ["/dev/null", "pipe:[31]", "pipe:[32]"];
        var workDir = Path.Combine(work, "work");
        Checkpointer().Checkpoint(Targets.Plain(), new CheckpointRequest("c1") { ImagePath = Images, WorkPath = workDir });

        Assert.Equal("[\"/dev/null\",\"pipe:[31]\",\"pipe:[32]\"]", File.ReadAllText(Path.Combine(Images, CriuCheckpointer.DescriptorsFile)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Images));
        var dump = Assert.Single(runner.Requests, r => r.Type == criu_req_type.Dump);
        Assert.True(dump.Opts.ImagesDirFd >= 0);
        Assert.True(dump.Opts.HasWorkDirFd);
    }

    [Fact]
    public void TheDefaultImagePathIsCheckpointInTheCurrentDirectory()
    {
        var expected = Path.Combine(Environment.CurrentDirectory, "checkpoint");
        Assert.False(Directory.Exists(expected), "the test needs no ./checkpoint here");
        var e = Assert.Throws<HullException>(() => Checkpointer().Restore(Targets.Plain(), new RestoreRequest("c1", "/b"), new RecordingCallbacks()));
        Assert.Contains($"the image directory {expected} does not exist", e.Message);
    }

    [Fact]
    public void AFailedDumpQuotesTheLastErrorsOfItsLog()
    {
        Directory.CreateDirectory(Images);
        File.WriteAllLines(Path.Combine(Images, "dump.log"),
        [
            "(00.000100) Version: 4.2.1",
            "(00.001000) Error (criu/cr-dump.c:1): first",
            "(00.002000) fine",
            "(00.003000) Error (criu/cr-dump.c:2): second",
        ]);
        runner.Answer = r => r.Type == criu_req_type.Version
            ? FakeRunner.Version(4, 2)
            : new criu_resp { Type = r.Type, Success = false, CrErrmsg = "second" };

        var e = Assert.Throws<HullException>(() => Checkpointer().Checkpoint(Targets.Plain(), new CheckpointRequest("c1") { ImagePath = Images }));

        Assert.Equal(
            $"checkpoint of container \"c1\" failed: criu dump failed: second (see {Images}/dump.log); its last errors:\n" +
            "  2: (00.001000) Error (criu/cr-dump.c:1): first\n" +
            "  4: (00.003000) Error (criu/cr-dump.c:2): second", e.Message);
    }

    [Fact]
    public void LazyPagesReadyWritesAZeroToTheStatusFdAndClosesIt()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, pipe.ClientSafePipeHandle);
        var statusFd = Libc.fcntl((int)client.SafePipeHandle.DangerousGetHandle(), Libc.F_DUPFD_CLOEXEC, 900);
        runner.Answer = r => r.Type switch
        {
            criu_req_type.Version => FakeRunner.Version(4, 2),
            criu_req_type.FeatureCheck => new criu_resp { Type = r.Type, Success = true, Features = new criu_features { LazyPages = true } },
            _ => new criu_resp { Type = r.Type, Success = true },
        };
        runner.Notifications.Add(("status-ready", 0));

        Checkpointer().Checkpoint(Targets.Plain(), new CheckpointRequest("c1")
        {
            ImagePath = Images, LazyPages = true, PageServer = "127.0.0.1:27", StatusFd = statusFd,
        });

        Assert.Equal(0, pipe.ReadByte());
        Assert.True(Libc.fcntl(statusFd, Libc.F_GETFL, 0) < 0, "the status fd was left open");
    }

    [Fact]
    public void AStatusFdThatCannotBeWrittenIsABadFlag()
    {
        using var readOnly = Fd.OpenReadOnly("/dev/null");
        var e = Assert.Throws<UsageException>(() => Checkpointer().Checkpoint(Targets.Plain(), new CheckpointRequest("c1")
        {
            ImagePath = Images, LazyPages = true, StatusFd = readOnly.Value,
        }));
        Assert.Equal($"--status-fd {readOnly.Value}: the fd is not open for writing", e.Message);
        Assert.False(Directory.Exists(Images));
    }

    [Fact]
    public void RestoreNeedsACheckpointInTheImageDirectory()
    {
        Directory.CreateDirectory(Images);
        var e = Assert.Throws<HullException>(() => Checkpointer().Restore(Targets.Plain(), new RestoreRequest("c1", "/b") { ImagePath = Images }, new RecordingCallbacks()));
        Assert.Equal($"cannot restore container \"c1\": {Images} holds no checkpoint (no inventory.img)", e.Message);

        File.WriteAllText(Path.Combine(Images, "inventory.img"), "");
        e = Assert.Throws<HullException>(() => Checkpointer().Restore(Targets.Plain(), new RestoreRequest("c1", "/b") { ImagePath = Images }, new RecordingCallbacks()));
        Assert.Equal($"{Images} was not written by a container checkpoint: descriptors.json is missing", e.Message);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
