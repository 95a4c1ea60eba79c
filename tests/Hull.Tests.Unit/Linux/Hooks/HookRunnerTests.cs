using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Hooks;
using OciHooks = Hull.Abstractions.Oci.Hooks;
using Xunit;

namespace Hull.Tests.Unit.Linux.Hooks;

[SupportedOSPlatform("linux")]
public sealed class HookRunnerTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("hull-hooks-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly ContainerState State = new()
    {
        OciVersion = "1.2.0", Id = "c1", Pid = 4242, Status = "creating", Bundle = "/b", Rootfs = "/b/rootfs",
        Annotations = new Dictionary<string, string> { ["a"] = "b" },
    };

    string F(string name) => Path.Combine(dir, name);

    static Hook Sh(string script, IReadOnlyList<string>? env = null, int? timeout = null) =>
        new() { Path = "/bin/sh", Args = ["sh", "-c", script], Env = env, Timeout = timeout };

    static Spec With(OciHooks hooks) => new() { OciVersion = "1.2.0", Hooks = hooks };

    [Fact]
    public void HooksRunInTheConfigsOrder()
    {
        var log = F("log");
        var spec = With(new OciHooks { Prestart = [Sh($"echo one >> {log}"), Sh($"echo two >> {log}"), Sh($"echo three >> {log}")] });
        HookRunner.Run(spec, HookPhase.Prestart, State);
        Assert.Equal(["one", "two", "three"], File.ReadAllLines(log));
    }

    [Fact]
    public void EachPhaseRunsOnlyItsOwnHooks()
    {
        var log = F("log");
        var spec = With(new OciHooks
        {
            Prestart = [Sh($"echo prestart >> {log}")],
            CreateRuntime = [Sh($"echo createRuntime >> {log}")],
            CreateContainer = [Sh($"echo createContainer >> {log}")],
            StartContainer = [Sh($"echo startContainer >> {log}")],
            Poststart = [Sh($"echo poststart >> {log}")],
            Poststop = [Sh($"echo poststop >> {log}")],
        });
        foreach (var phase in Enum.GetValues<HookPhase>()) HookRunner.Run(spec, phase, State);
        Assert.Equal(OciNames.Hooks, File.ReadAllLines(log));
    }

    [Fact]
    public void RuntimeSpecStateIsOnStdin()
    {
        HookRunner.Run(With(new OciHooks { CreateRuntime = [Sh($"cat > {F("state")}")] }), HookPhase.CreateRuntime, State);
        // runc's specs.State: these fields in this order, not the `state` command's rootfs/created/owner.
        Assert.Equal(
            "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":4242,\"bundle\":\"/b\",\"annotations\":{\"a\":\"b\"}}",
            File.ReadAllText(F("state")));
        HookRunner.Run(With(new OciHooks { Poststop = [Sh($"cat > {F("stopped")}")] }), HookPhase.Poststop,
            State with { Pid = 0, Status = "stopped", Annotations = null });
        Assert.Equal("{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"stopped\",\"bundle\":\"/b\"}", File.ReadAllText(F("stopped")));
        using var json = JsonDocument.Parse(File.ReadAllText(F("state")));
        Assert.Equal("c1", json.RootElement.GetProperty("id").GetString());
        Assert.Equal(4242, json.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal("creating", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("b", json.RootElement.GetProperty("annotations").GetProperty("a").GetString());
    }

    [Fact]
    public void EnvIsExactlyTheHooksOrHullsWhenNoneIsGiven()
    {
        // (PATH is no test: the shell has a default of its own.)
        HookRunner.Run(With(new OciHooks { Prestart = [Sh($"echo \"$A|$HOME\" > {F("env")}", env: ["A=1"])] }), HookPhase.Prestart, State);
        Assert.Equal("1|\n", File.ReadAllText(F("env")));
        HookRunner.Run(With(new OciHooks { Prestart = [Sh($"echo \"$HOME\" > {F("inherited")}")] }), HookPhase.Prestart, State);
        Assert.Equal(Environment.GetEnvironmentVariable("HOME") + "\n", File.ReadAllText(F("inherited")));
    }

    [SkippableFact]
    public void ArgvZeroIsTheHooksOwn()
    {
        Skip.IfNot(File.Exists("/bin/busybox"), "busybox is not installed");
        // busybox picks its applet from argv[0]: this works only if args[0] reaches the program.
        var hook = new Hook { Path = "/bin/busybox", Args = ["sh", "-c", $"echo $0 > {F("argv0")}"] };
        HookRunner.Run(With(new OciHooks { Prestart = [hook] }), HookPhase.Prestart, State);
        Assert.Equal("sh\n", File.ReadAllText(F("argv0")));
    }

    [Fact]
    public void FailingHookStopsTheRestAndSaysWhichAndWhy()
    {
        var log = F("log");
        var spec = With(new OciHooks { Prestart = [Sh($"echo one >> {log}"), Sh("echo out; echo boom >&2; exit 3"), Sh($"echo three >> {log}")] });
        var e = Assert.Throws<HookFailedException>(() => HookRunner.Run(spec, HookPhase.Prestart, State));
        Assert.Equal("error running prestart hook #1 (/bin/sh): exit status 3, stdout: out, stderr: boom", e.Message);
        Assert.Equal((HookPhase.Prestart, 1), (e.Phase, e.Index));
        Assert.Equal(["one"], File.ReadAllLines(log));
    }

    [Fact]
    public void HookPastItsTimeoutIsKilled()
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<HookFailedException>(() =>
            HookRunner.Run(With(new OciHooks { CreateContainer = [Sh($"echo $$ > {F("pid")}; exec sleep 30", timeout: 1)] }), HookPhase.CreateContainer, State));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal("error running createContainer hook #0 (/bin/sh): hook ran past specified timeout of 1.0s and was killed", e.Message);
        var pid = int.Parse(File.ReadAllText(F("pid")).Trim());
        Assert.False(Directory.Exists($"/proc/{pid}"), "the hook process is gone (killed and reaped)");
    }

    [Fact]
    public void HookKilledBySignalSaysSo()
    {
        var e = Assert.Throws<HookFailedException>(() => HookRunner.Run(With(new OciHooks { Poststart = [Sh("kill -TERM $$")] }), HookPhase.Poststart, State));
        Assert.EndsWith(": signal: terminated", e.Message);
    }

    [Fact]
    public void HookThatIgnoresAHugeStdinDoesNotHang()
    {
        var big = State with { Annotations = new Dictionary<string, string> { ["big"] = new string('x', 1 << 20) } };
        HookRunner.Run(With(new OciHooks { Prestart = [Sh("exit 0")] }), HookPhase.Prestart, big);
        HookRunner.Run(With(new OciHooks { Prestart = [Sh($"head -c 10 > {F("head")}")] }), HookPhase.Prestart, big);
        Assert.Equal(10, new FileInfo(F("head")).Length);
    }

    [Fact]
    public void GrandchildKeepingTheOutputOpenDoesNotHoldTheRuntime()
    {
        var clock = Stopwatch.StartNew();
        HookRunner.Run(With(new OciHooks { Prestart = [Sh("sleep 5 & echo started")] }), HookPhase.Prestart, State);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public void MissingProgramIsAClearError()
    {
        var e = Assert.Throws<HookFailedException>(() =>
            HookRunner.Run(With(new OciHooks { Prestart = [new Hook { Path = "/nonexistent/hook" }] }), HookPhase.Prestart, State));
        Assert.Equal("error running prestart hook #0 (/nonexistent/hook): fork/exec /nonexistent/hook: no such file or directory", e.Message);
    }

    [Fact]
    public void WorkingDirectoryIsTheCallersChoice()
    {
        HookRunner.Run(With(new OciHooks { Prestart = [Sh($"pwd > {F("pwd")}")] }), HookPhase.Prestart, State, workingDirectory: dir);
        Assert.Equal(dir + "\n", File.ReadAllText(F("pwd")));
    }

    [Fact]
    public void PoststopFailuresAreWarningsAndEveryHookRuns()
    {
        var log = F("log");
        var warnings = new List<string>();
        var spec = With(new OciHooks { Poststop = [Sh("exit 1"), Sh($"echo second >> {log}")] });
        HookRunner.RunWarning(spec, HookPhase.Poststop, State with { Status = "stopped" }, warnings.Add);
        Assert.Equal(["error running poststop hook #0 (/bin/sh): exit status 1"], warnings);
        Assert.Equal(["second"], File.ReadAllLines(log));
    }

    [Theory]
    [InlineData("hook.sh", null, "hooks.prestart[0].path")]
    [InlineData("/bin/true", 0, "hooks.prestart[0].timeout")]
    [InlineData("/bin/true", -5, "hooks.prestart[0].timeout")]
    public void HooksThatCannotRunAsTheSpecSaysAreRefused(string path, int? timeout, string where)
    {
        var e = Assert.Throws<ConfigException>(() => HookRunner.Validate(With(new OciHooks { Prestart = [new Hook { Path = path, Timeout = timeout }] })));
        Assert.Equal(where, e.JsonPath);
    }

    [Fact]
    public void NoHooksIsNothingToDo()
    {
        HookRunner.Run(new Spec(), HookPhase.Prestart, State);
        HookRunner.Validate(new Spec());
    }
}
