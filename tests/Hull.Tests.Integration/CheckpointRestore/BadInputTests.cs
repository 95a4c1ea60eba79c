using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.CheckpointRestore;

/// <summary>checkpoint and restore refused: a clear error, exit 1, and nothing left behind or changed.</summary>
public sealed class BadInputTests : IDisposable
{
    readonly CriuContainers c = new();

    Runtime Hull => c.Hull;

    /// <summary>PATH without any criu (the real one is in /usr/local/sbin).</summary>
    static readonly Dictionary<string, string?> NoCriu = new() { ["PATH"] = "/usr/bin:/bin" };

    [SkippableFact]
    public void RestoreFromAMissingImageDirectory()
    {
        CriuContainers.Require();
        var bundle = c.NewBundle(c.Dir("data"));
        var id = Runtime.NewId("cr-noimg");
        var missing = Path.Combine(c.Dir("images"), "missing");

        var r = c.Detached("restore", "-d", "--bundle", bundle.Dir, "--image-path", missing, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"the image directory {missing} does not exist", r.Stderr);
        c.AssertGone(id);
        Assert.False(Directory.Exists(missing));

        // A directory without a checkpoint in it is as clear.
        var empty = c.Dir("images");
        var e = c.Detached("restore", "-d", "--bundle", bundle.Dir, "--image-path", empty, id);
        Assert.Equal(1, e.ExitCode);
        Assert.Contains($"{empty} holds no checkpoint", e.Stderr);
        c.AssertGone(id);
    }

    [SkippableFact]
    public void RestoreOntoAnExistingIdLeavesThatContainerAlone()
    {
        CriuContainers.Require();
        var data = c.Dir("data");
        var bundle = c.NewBundle(data);
        var id = Runtime.NewId("cr-taken");
        c.RunDetached(bundle, id);
        var counter = new Counter(data);
        counter.WaitUntilAtLeast(2);
        var images = c.Dir("images");
        c.Checkpoint(id, images, "--leave-running");
        var state = File.ReadAllText(Path.Combine(Hull.Root, id, "state.json"));

        var r = c.Detached("restore", "-d", "--bundle", bundle.Dir, "--image-path", images, id);
        Assert.Equal(1, r.ExitCode);
        // The log file's msg escapes the quotes around the id.
        Assert.Contains($"{id}\\\" already exists", r.Stderr);
        Assert.Equal(state, File.ReadAllText(Path.Combine(Hull.Root, id, "state.json")));
        Assert.Equal("running", CriuContainers.Status(c.State(id)));
        counter.WaitUntilAtLeast(counter.Value + 2);
    }

    [SkippableFact]
    public void WithoutCriuBothCommandsSaySoAndChangeNothing()
    {
        CriuContainers.Require();
        var data = c.Dir("data");
        var bundle = c.NewBundle(data);
        var id = Runtime.NewId("cr-nocriu");
        c.RunDetached(bundle, id);
        var counter = new Counter(data);
        counter.WaitUntilAtLeast(2);
        var images = Path.Combine(c.Dir("images"), "new");

        var checkpoint = Hull.Cmd(NoCriu, "checkpoint", "--image-path", images, id);
        Assert.Equal(1, checkpoint.ExitCode);
        Assert.Contains("checkpoint/restore need CRIU", checkpoint.Stderr);
        Assert.Contains("criu was not found on PATH (/usr/bin:/bin)", checkpoint.Stderr);
        Assert.False(Directory.Exists(images));
        Assert.Equal("running", CriuContainers.Status(c.State(id)));

        var other = Runtime.NewId("cr-nocriu-restore");
        var restore = c.Detached(NoCriu, "restore", "-d", "--bundle", bundle.Dir, "--image-path", images, other);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("criu was not found on PATH", restore.Stderr);
        c.AssertGone(other);

        // Every other command still works without CRIU.
        Assert.Equal(0, Hull.Cmd(NoCriu, "state", id).ExitCode);
        Assert.Equal(0, Hull.Cmd(NoCriu, "list").ExitCode);
        counter.WaitUntilAtLeast(counter.Value + 2);
    }

    [SkippableFact]
    public void OnlyARunningContainerIsCheckpointed()
    {
        CriuContainers.Require();
        var bundle = c.NewBundle(c.Dir("data"));
        var id = Runtime.NewId("cr-created");
        var created = c.Detached("create", "--bundle", bundle.Dir, id);
        Assert.True(created.ExitCode == 0, created.ToString());
        var r = Hull.Cmd("checkpoint", "--image-path", c.Dir("images"), id);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("hull: Container cannot be checkpointed in created state\n", r.Stderr);
        Assert.Equal("created", CriuContainers.Status(c.State(id)));

        var missing = Hull.Cmd("checkpoint", "--image-path", c.Dir("images"), "cr-no-such-container");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
    }

    public void Dispose() => c.Dispose();
}
