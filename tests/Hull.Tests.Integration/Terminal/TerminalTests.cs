using System.Text.Json.Nodes;
using Hull.Tests.Integration.Exec;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Terminal;

/// <summary>process.terminal and exec -t: the console socket (runc's protocol, as conmon and
/// containerd's shim receive it) and the foreground relay to the caller's terminal.</summary>
public sealed class TerminalTests : IDisposable
{
    readonly Runtime hull = Runtime.Hull();
    readonly string dir = Directory.CreateTempSubdirectory("hull-tty-").FullName;
    readonly List<IDisposable> owned = [];

    static void RequireScript() => Skip.If(Tools.Which("script") is null, "util-linux's script is needed to give hull a terminal");

    static void Interactive(JsonObject config, int rows = 0, int cols = 0)
    {
        config["process"]!["terminal"] = true;
        config["process"]!["args"] = new JsonArray("sh");
        if (rows > 0) config["process"]!["consoleSize"] = new JsonObject { ["height"] = rows, ["width"] = cols };
    }

    T Own<T>(T d) where T : IDisposable
    {
        owned.Add(d);
        return d;
    }

    string StatusOf(string id) => JsonNode.Parse(hull.Cmd("state", id).Stdout)?["status"]?.GetValue<string>() ?? "";

    [SkippableFact]
    public void RunDetachedSendsTheMasterToTheConsoleSocketSizedAsConfigured()
    {
        Runtime.RequireContainers();
        var bundle = Own(Bundle.Create());
        bundle.Edit(c => Interactive(c, rows: 31, cols: 101));
        using var receiver = new ConsoleReceiver(dir);
        var id = Runtime.NewId("tty-run");
        var run = hull.Detached("run", "-d", "--console-socket", receiver.SocketPath, "--bundle", bundle.Dir, id);
        Assert.True(run.ExitCode == 0, run.ToString());
        var (name, master) = receiver.Receive();
        Assert.Equal("/dev/ptmx", name);
        var output = ConsoleReceiver.Converse(master, "stty size; tty; exit 5\n");
        Assert.Contains("31 101", output);
        Assert.Contains("/dev/pts/0", output);
        var deadline = Environment.TickCount64 + 10_000;
        while (StatusOf(id) != "stopped" && Environment.TickCount64 < deadline) Thread.Sleep(20);
        Assert.Equal("stopped", StatusOf(id));
    }

    [SkippableFact]
    public void CreateThenStartWithAConsoleSocket()
    {
        Runtime.RequireContainers();
        var bundle = Own(Bundle.Create());
        bundle.Edit(c => Interactive(c));
        using var receiver = new ConsoleReceiver(dir);
        var id = Runtime.NewId("tty-create");
        Assert.Equal(0, hull.Detached("create", "--console-socket", receiver.SocketPath, "--bundle", bundle.Dir, id).ExitCode);
        var (_, master) = receiver.Receive();
        Assert.Equal(0, hull.Cmd("start", id).ExitCode);
        Assert.Contains("in the container", ConsoleReceiver.Converse(master, "echo in the' 'container; exit\n", until: "in the container"));
    }

    [SkippableFact]
    public void ExecDetachedWithATerminal()
    {
        Runtime.RequireContainers();
        var c = Own(LiveContainer.Start(hull, "tty-exec"));
        using var receiver = new ConsoleReceiver(dir);
        var exec = hull.Detached("exec", "-d", "-t", "--console-socket", receiver.SocketPath, c.Id, "sh");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        var (_, master) = receiver.Receive();
        var output = ConsoleReceiver.Converse(master, "tty; echo $((6*7)); exit\n");
        Assert.Contains("/dev/pts/0", output);
        Assert.Contains("42", output);
    }

    [SkippableFact]
    public void DetachedWithATerminalButNoConsoleSocketIsRefusedAndLeavesNothing()
    {
        Runtime.RequireContainers();
        var bundle = Own(Bundle.Create());
        bundle.Edit(c => Interactive(c));
        foreach (var command in new[] { "create", "run" })
        {
            var args = command == "run" ? new[] { "run", "-d" } : ["create"];
            var r = hull.Detached([.. args, "--bundle", bundle.Dir, Runtime.NewId("tty-nosock")]);
            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("hull: cannot allocate tty if hull will detach without setting console socket", r.Stderr);
        }
        Assert.Empty(hull.Ids());
        var c = Own(LiveContainer.Start(hull, "tty-exec-nosock"));
        var exec = hull.Detached("exec", "-d", "-t", c.Id, "true");
        Assert.Equal(255, exec.ExitCode);
        Assert.StartsWith("hull: exec failed: cannot allocate tty if hull will detach without setting console socket", exec.Stderr);
    }

    [SkippableFact]
    public void AConsoleSocketWithoutATerminalIsRefused()
    {
        Runtime.RequireContainers();
        var bundle = Own(Bundle.Create("true"));
        var r = hull.Detached("run", "-d", "--console-socket", Path.Combine(dir, "unused.sock"), "--bundle", bundle.Dir, Runtime.NewId("tty-notty"));
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("hull: cannot use console socket if hull will not detach or allocate tty", r.Stderr);
        Assert.Empty(hull.Ids());
    }

    [SkippableFact]
    public void AConsoleSocketNobodyListensOnFailsBeforeAnythingExists()
    {
        Runtime.RequireContainers();
        var bundle = Own(Bundle.Create());
        bundle.Edit(c => Interactive(c));
        var r = hull.Detached("create", "--console-socket", Path.Combine(dir, "nobody.sock"), "--bundle", bundle.Dir, Runtime.NewId("tty-nobody"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("cannot connect to the console socket", r.Stderr);
        Assert.Empty(hull.Ids());
    }

    /// <summary>Runs a shell line under `script`, which gives it a pty of its own as its terminal.</summary>
    CommandResult UnderTerminal(string line, LiveContainer? c = null) =>
        Tools.Run(Tools.Which("script")!, ["-qec", line, "/dev/null"],
            env: new Dictionary<string, string?> { ["RT"] = $"{hull.Binary} --root {hull.Root}", ["ID"] = c?.Id }, timeoutMs: 60_000);

    [SkippableFact]
    public void ExecInTheForegroundRelaysTheCallersTerminalAndItsSize()
    {
        Runtime.RequireContainers();
        RequireScript();
        var c = Own(LiveContainer.Start(hull, "tty-fg"));
        var r = UnderTerminal("stty cols 77 rows 22; $RT exec -t $ID sh -c 'tty; stty size; exit 9'", c);
        Assert.Equal(9, r.ExitCode);
        Assert.Contains("/dev/pts/", r.Stdout);
        Assert.Contains("22 77", r.Stdout);
    }

    [SkippableFact]
    public void SigwinchResizesTheContainersTerminal()
    {
        Runtime.RequireContainers();
        RequireScript();
        var c = Own(LiveContainer.Start(hull, "tty-winch"));
        // The container waits until its size changes; hull gets SIGWINCH until it exits.
        var r = UnderTerminal("stty cols 77 rows 22; $RT exec -t $ID sh -c 'while [ \"$(stty size)\" = \"22 77\" ]; do sleep 0.05; done; stty size' & pid=$!; " +
            "sleep 0.5; stty cols 91 rows 33; while kill -WINCH $pid 2>/dev/null; do sleep 0.2; done; wait $pid", c);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("33 91", r.Stdout);
    }

    [SkippableFact]
    public void RunInTheForegroundWithATerminal()
    {
        Runtime.RequireContainers();
        RequireScript();
        var bundle = Own(Bundle.Create("sh", "-c", "tty; echo typed: $(head -c 5); exit 4"));
        bundle.Edit(c => c["process"]!["terminal"] = true);
        var r = UnderTerminal($"printf 'hello\\n' | $RT run --bundle {bundle.Dir} {Runtime.NewId("tty-run-fg")}");
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("/dev/pts/0", r.Stdout);
        Assert.Contains("typed: hello", r.Stdout);
        Assert.Empty(hull.Ids());
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        hull.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}
