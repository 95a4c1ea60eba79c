using Hull.Tests.Integration.Support;
using Hull.Tests.Integration.Terminal;
using Xunit;

namespace Hull.Tests.Integration.CheckpointRestore;

/// <summary>
/// Containers with a terminal (process.terminal): CRIU restores the process onto a new pty and
/// hands its master over (orphan-pts-master), which goes to the restore's --console-socket, or is
/// relayed to hull's own terminal in the foreground, as runc does.
/// </summary>
public sealed class TerminalRestoreTests : IDisposable
{
    /// <summary>Counts into /data/count and prints a tick for each count on its terminal.</summary>
    const string TickingScript = "i=0; while :; do i=$((i+1)); echo $i > /data/count; echo tick$i; sleep 0.1; done";

    readonly CriuContainers c = new();
    /// <summary>The first console sockets and masters, kept open for the life of the test.</summary>
    readonly List<IDisposable> owned = [];

    Runtime Hull => c.Hull;

    /// <summary>
    /// A terminal container started with a console socket, counting, then checkpointed into the returned
    /// images; Last is the count it stopped at. Its first master stays open until the test ends (as
    /// conmon keeps it), since closing it would hang the container's shell up before the dump.
    /// </summary>
    (string Id, Bundle Bundle, Counter Counter, string Images, int Last) CheckpointedTerminalCounter(string prefix)
    {
        var id = Runtime.NewId(prefix);
        var data = c.Dir("data");
        var bundle = c.NewBundle(data, TickingScript);
        bundle.Edit(config => config["process"]!["terminal"] = true);
        var receiver = Own(new ConsoleReceiver(c.Dir("sock")));
        var create = c.Detached("create", "--console-socket", receiver.SocketPath, "--bundle", bundle.Dir, id);
        Assert.True(create.ExitCode == 0, $"create {id}: {create}");
        Own(receiver.Receive().Master);
        Assert.Equal(0, Hull.Cmd("start", id).ExitCode);
        var counter = new Counter(data);
        counter.WaitUntilAtLeast(3);
        var images = c.Dir("images");
        c.Checkpoint(id, images);
        return (id, bundle, counter, images, counter.Value);
    }

    T Own<T>(T d) where T : IDisposable
    {
        owned.Add(d);
        return d;
    }

    [SkippableFact]
    public void ARestoredTerminalGoesToTheConsoleSocket()
    {
        CriuContainers.Require();
        var (id, bundle, counter, images, last) = CheckpointedTerminalCounter("cr-tty");

        using var second = new ConsoleReceiver(c.Dir("sock"));
        c.RestoreDetached(bundle, id, images, "--console-socket", second.SocketPath);
        var (name, master) = second.Receive();
        Assert.Equal("orphan-pts-master", name);
        counter.AssertContinuesFrom(last);
        // The process writes on to the new master: what it prints there follows the checkpoint.
        var next = $"tick{counter.Value + 2}";
        Assert.Contains(next, ConsoleReceiver.Converse(master, "", until: next, timeoutMs: 10_000));
        master.Dispose();
        Assert.Equal(0, Hull.Cmd("delete", "--force", id).ExitCode);
        c.AssertGone(id);
    }

    [SkippableFact]
    public void AForegroundRestoreRelaysTheTerminalToHullsOwn()
    {
        CriuContainers.Require();
        Skip.If(Tools.Which("script") is null, "util-linux's script is needed to give hull a terminal");
        var (id, bundle, counter, images, last) = CheckpointedTerminalCounter("cr-tty-fg");

        // hull restore in the foreground under `script` (its terminal); the container is killed once
        // it has counted on, which ends the restore with 128+9.
        var killer = Task.Run(() =>
        {
            c.WaitForStatus(id, "running");
            counter.WaitUntilAtLeast(last + 5);
            Hull.Cmd("kill", id, "KILL");
        });
        var r = Tools.Run(Tools.Which("script")!,
            ["-qec", $"{Hull.Binary} --root {Hull.Root} restore --bundle {bundle.Dir} --image-path {images} {id}", "/dev/null"],
            timeoutMs: 60_000);
        killer.Wait();
        Assert.True(r.ExitCode == 137, $"restore: {r}\n{CriuContainers.CriuLog(images, "restore.log")}");
        Assert.Contains($"tick{last + 3}", r.Stdout);
        Assert.DoesNotContain("tick1\r", r.Stdout);
        c.AssertGone(id);
    }

    [SkippableFact]
    public void ATerminalCheckpointRestoredWithoutATerminalIsRefusedAndLeavesNothing()
    {
        CriuContainers.Require();
        var (id, bundle, _, images, _) = CheckpointedTerminalCounter("cr-tty-off");

        bundle.Edit(config => config["process"]!["terminal"] = false);
        var r = c.Detached("restore", "-d", "--bundle", bundle.Dir, "--image-path", images, id);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("the checkpointed container had a terminal, but process.terminal is false", r.Stderr);
        c.AssertGone(id);
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        c.Dispose();
    }
}
