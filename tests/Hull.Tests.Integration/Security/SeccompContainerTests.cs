using System.Text.Json;
using System.Text.Json.Nodes;
using Hull.Tests.Integration.Exec;
using Hull.Tests.Integration.Seccomp;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Security;

/// <summary>
/// linux.seccomp on real containers: the init and exec's process both run under the container's
/// filter, installed last (so a profile that blocks what the runtime itself calls, such as getcwd,
/// does not stop the container from starting), with the notify fd handed to the agent.
/// </summary>
public sealed class SeccompContainerTests : IDisposable
{
    const int Exdev = 18;
    readonly Runtime hull = Runtime.Hull();
    readonly List<IDisposable> owned = [];

    static void Require()
    {
        Runtime.RequireContainers();
        SeccompSandbox.RequireHost();
    }

    static JsonObject Rule(string action, params string[] names) =>
        new() { ["names"] = new JsonArray([.. names.Select(n => (JsonNode)n!)]), ["action"] = action };

    static Action<JsonObject> Profile(bool noNewPrivs, params JsonObject[] rules) => c =>
    {
        c["process"]!["noNewPrivileges"] = noNewPrivs;
        c["linux"]!["seccomp"] = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["architectures"] = new JsonArray("SCMP_ARCH_X86_64"),
            ["syscalls"] = new JsonArray([.. rules.Select(r => r.DeepClone())]),
        };
    };

    static JsonObject MkdirErrno()
    {
        var rule = Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat");
        rule["errnoRet"] = 1;
        return rule;
    }

    CommandResult Run(Action<JsonObject> edit, params string[] args)
    {
        var bundle = Bundle.Create(args);
        owned.Add(bundle);
        bundle.Edit(edit);
        return hull.Cmd("run", "--bundle", bundle.Dir, Runtime.NewId("seccomp"));
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnErrnoRuleBlocksMkdirInTheInitAndInExec(bool noNewPrivs)
    {
        Require();
        var run = Run(Profile(noNewPrivs, MkdirErrno()), "sh", "-c", "mkdir /dev/shm/x; echo $?; grep -E '^(CapPrm|CapEff|Seccomp):' /proc/self/status");
        Assert.Equal(0, run.ExitCode);
        // Without no_new_privs CAP_SYS_ADMIN was held for the filter, and is gone again.
        Assert.Equal("1\nCapPrm:\t0000000020000420\nCapEff:\t0000000020000420\nSeccomp:\t2\n", run.Stdout);
        Assert.Contains("Operation not permitted", run.Stderr);

        var c = LiveContainer.Start(hull, "seccomp-exec", Profile(noNewPrivs, MkdirErrno()));
        owned.Add(c);
        var exec = c.Exec("sh", "-c", "mkdir /dev/shm/y; echo $?; touch /dev/shm/z && echo touched");
        Assert.Equal("1\ntouched\n", exec.Stdout);
    }

    [SkippableFact]
    public void KillProcessAndTrapEndTheProcessWithSigsys()
    {
        Require();
        Assert.Equal(SeccompSandbox.SigsysExit, Run(Profile(true, Rule("SCMP_ACT_KILL_PROCESS", "mkdir", "mkdirat")), "mkdir", "/dev/shm/x").ExitCode);
        Assert.Equal(SeccompSandbox.SigsysExit, Run(Profile(true, Rule("SCMP_ACT_TRAP", "mkdir", "mkdirat")), "mkdir", "/dev/shm/x").ExitCode);
    }

    [SkippableFact]
    public void ArgumentConditionsSelectTheCall()
    {
        Require();
        // chmod(path, mode) and fchmodat(dirfd, path, mode): refuse mode 0777 only.
        JsonObject Chmod(string name, int modeArg)
        {
            var rule = Rule("SCMP_ACT_ERRNO", name);
            rule["errnoRet"] = Exdev;
            rule["args"] = new JsonArray(new JsonObject { ["index"] = modeArg, ["value"] = 511, ["op"] = "SCMP_CMP_EQ" });
            return rule;
        }
        var r = Run(Profile(true, Chmod("chmod", 1), Chmod("fchmodat", 2)),
            "sh", "-c", "touch /dev/shm/f; chmod 755 /dev/shm/f && echo 755; chmod 777 /dev/shm/f || echo refused");
        Assert.Equal("755\nrefused\n", r.Stdout);
        Assert.Contains("Invalid cross-device link", r.Stderr);
    }

    /// <summary>Every syscall the runtime makes on its way to execve (user switch, cwd check,
    /// rlimits, fd and signal clean-up) comes before the filter; without no_new_privs only the
    /// capset that drops the held CAP_SYS_ADMIN follows it. runc 1.1 fails this (runtime-tools'
    /// seccomp test): it calls getcwd after the filter, and without no_new_privs installs the
    /// filter before its whole user switch.</summary>
    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheRuntimesOwnCallsAfterTheFilterAreNotBlocked(bool noNewPrivs)
    {
        Require();
        foreach (var name in new[] { "getcwd", "chdir", "close_range", "rt_sigaction", "prlimit64", "setresuid", "setgroups", "prctl" })
        {
            var rule = Rule("SCMP_ACT_ERRNO", name);
            rule["errnoRet"] = 1;
            var run = Run(Profile(noNewPrivs, rule), "echo", "started");
            Assert.True(run.ExitCode == 0 && run.Stdout == "started\n", $"run, blocking {name}: {run}");
            var c = LiveContainer.Start(hull, "seccomp-own", Profile(noNewPrivs, rule));
            owned.Add(c);
            var exec = c.ExecWith(["-u", "1000"], "echo", "exec'd");
            Assert.True(exec.ExitCode == 0 && exec.Stdout == "exec'd\n", $"exec, blocking {name}: {exec}");
        }
    }

    [SkippableFact]
    public void TheNotifyFdOfTheInitAndOfExecReachesTheAgent()
    {
        Require();
        var dir = Directory.CreateTempSubdirectory("hull-agent-").FullName;
        using var agent = new NotifyAgent(dir);
        try
        {
            var c = LiveContainer.Start(hull, "seccomp-notify", config =>
            {
                Profile(true, Rule("SCMP_ACT_NOTIFY", "mkdir", "mkdirat"))(config);
                config["linux"]!["seccomp"]!["listenerPath"] = agent.SocketPath;
                config["linux"]!["seccomp"]!["listenerMetadata"] = "meta=1";
                config["annotations"] = new JsonObject { ["org.test"] = "yes" };
            });
            owned.Add(c);
            var (initJson, initFd) = agent.Receive();
            initFd.Dispose();
            var init = JsonDocument.Parse(initJson).RootElement;
            Assert.Equal(c.InitPid, init.GetProperty("pid").GetInt32());
            Assert.Equal("meta=1", init.GetProperty("metadata").GetString());
            Assert.Equal(c.Id, init.GetProperty("state").GetProperty("id").GetString());
            Assert.Equal("creating", init.GetProperty("state").GetProperty("status").GetString());
            Assert.Equal(c.Bundle.Dir, init.GetProperty("state").GetProperty("bundle").GetString());
            Assert.Equal("yes", init.GetProperty("state").GetProperty("annotations").GetProperty("org.test").GetString());

            // exec's process has the container's filter, so a listener of its own.
            var exec = Task.Run(() => c.Exec("sh", "-c", "mkdir /dev/shm/d; echo rc=$?"));
            var (execJson, execFd) = agent.Receive();
            using (execFd)
            {
                var state = JsonDocument.Parse(execJson).RootElement;
                Assert.Equal("running", state.GetProperty("state").GetProperty("status").GetString());
                Assert.Equal(c.InitPid, state.GetProperty("state").GetProperty("pid").GetInt32());
                Assert.NotEqual(c.InitPid, state.GetProperty("pid").GetInt32());
                var call = NotifyAgent.Next(execFd);
                Assert.Contains(call.Nr, new[] { 83, 258 });
                NotifyAgent.Respond(execFd, call.Id, Exdev);
            }
            var r = exec.Result;
            Assert.Equal("rc=1\n", r.Stdout);
            Assert.Contains("Invalid cross-device link", r.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public void AnAgentNobodyRunsFailsTheCreate()
    {
        Require();
        var bundle = Bundle.Create("true");
        owned.Add(bundle);
        bundle.Edit(config =>
        {
            Profile(true, Rule("SCMP_ACT_NOTIFY", "mkdir", "mkdirat"))(config);
            config["linux"]!["seccomp"]!["listenerPath"] = Path.Combine(bundle.Dir, "no-agent.sock");
        });
        var r = hull.Detached("create", "--bundle", bundle.Dir, Runtime.NewId("seccomp-noagent"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("cannot connect to the seccomp agent", r.Stderr);
        Assert.Empty(hull.Ids());
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        hull.Dispose();
    }
}
