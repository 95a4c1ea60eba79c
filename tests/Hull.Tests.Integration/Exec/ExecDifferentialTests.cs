using System.Text.Json.Nodes;
using Hull.Tests.Integration.Differential;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Exec;

/// <summary>
/// exec and ps side by side with Debian's runc on the same bundle: exit status, stdout and the
/// error text (runc's log line and hull's "hull: " line reduced to the message) must match.
/// </summary>
public sealed class ExecDifferentialTests : IDisposable
{
    readonly Runtime hull = Runtime.Hull();
    readonly Runtime runc = Runtime.Runc();
    readonly List<IDisposable> owned = [];

    public static TheoryData<string, string[]> Cases => new()
    {
        { "status, identity, home and cwd", ["sh", "-c", "echo $HOME; pwd; id; exit 5"] },
        { "environment", ["sh", "-c", "env | sort"] },
        { "user and group", ["-u", "1000:1001", "-g", "7", "--", "id"] },
        { "cwd", ["--cwd", "/tmp", "--", "pwd"] },
        { "env flag", ["-e", "X=from-flag", "-e", "PATH=/bin", "--", "sh", "-c", "echo $X $PATH"] },
        { "no such command", ["no-such-command"] },
        { "not executable", ["/etc/passwd"] },
        { "killed", ["sh", "-c", "kill -9 $$"] },
        { "capabilities", ["--cap", "CAP_NET_ADMIN", "--", "grep", "^Cap", "/proc/self/status"] },
        { "no new privileges", ["--no-new-privs", "--", "grep", "NoNewPrivs", "/proc/self/status"] },
        { "rlimits", ["sh", "-c", "ulimit -n; ulimit -Hn"] },
        { "bad cgroup argument", ["--cgroup", "a:b:c", "--", "true"] },
        { "stdio only", ["sh", "-c", ExecTests.OpenFds] },
    };

    LiveContainer Start(Runtime runtime, Action<JsonObject>? edit = null)
    {
        var c = LiveContainer.Start(runtime, "diff-exec", edit);
        owned.Add(c);
        return c;
    }

    static void Require()
    {
        Runtime.RequireContainers();
        Runtime.RequireRunc();
    }

    static (int, string, string) Observed(CommandResult r) => (r.ExitCode, r.Stdout, Normalize.Stderr(r.Stderr));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ExecMatchesRunc(string name, string[] args)
    {
        Require();
        var split = Array.IndexOf(args, "--");
        string[] flags = split < 0 ? [] : args[..split];
        var command = split < 0 ? args : args[(split + 1)..];
        var expected = Start(runc).ExecWith(flags, command);
        var actual = Start(hull).ExecWith(flags, command);
        Assert.True(Observed(expected) == Observed(actual), $"{name}\n--- runc\n{expected}\n--- hull\n{actual}");
    }

    [SkippableFact]
    public void AProcessJsonMatchesRunc()
    {
        Require();
        var process = """{"args":["sh","-c","pwd; echo $X; id"],"cwd":"/etc","env":["PATH=/bin","X=json"],"user":{"uid":3,"gid":4}}""";
        CommandResult Exec(Runtime rt)
        {
            var c = Start(rt);
            var file = Path.Combine(c.Bundle.Dir, "process.json");
            File.WriteAllText(file, process);
            return c.ExecWith(["-p", file]);
        }
        Assert.Equal(Observed(Exec(runc)), Observed(Exec(hull)));
    }

    [SkippableFact]
    public void AStoppedContainerIsRefusedAsByRunc()
    {
        Require();
        CommandResult Exec(Runtime rt)
        {
            var c = Start(rt, cfg => cfg["process"]!["args"] = new JsonArray("true"));
            var deadline = Environment.TickCount64 + 10_000;
            while (c.State["status"]!.GetValue<string>() != "stopped" && Environment.TickCount64 < deadline) Thread.Sleep(20);
            return c.Exec("true");
        }
        Assert.Equal(Observed(Exec(runc)), Observed(Exec(hull)));
    }

    [SkippableFact]
    public void PsJsonListsTheSameProcessesAsRuncs()
    {
        Require();
        foreach (var rt in new[] { runc, hull })
        {
            var c = Start(rt);
            Assert.Equal(0, rt.Detached("exec", "-d", c.Id, "sleep", "30").ExitCode);
            var pids = JsonNode.Parse(rt.Cmd("ps", "--format", "json", c.Id).Stdout)!.AsArray().Select(p => p!.GetValue<int>()).ToList();
            Assert.True(pids.Count == 2 && pids.Contains(c.InitPid), $"{rt.Name}: [{string.Join(',', pids)}]");
            var table = rt.Cmd("ps", c.Id, "-o", "pid,args").Stdout.TrimEnd('\n').Split('\n');
            Assert.Equal(["  PID COMMAND", "sleep 1000", "sleep 30"], [table[0], .. table[1..].Select(l => l.Trim().Split(' ', 2)[1]).Order()]);
        }
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        hull.Dispose();
        runc.Dispose();
    }
}
