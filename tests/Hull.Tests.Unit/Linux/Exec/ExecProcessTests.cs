using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.Exec;

public class ExecProcessTests
{
    static readonly Spec Container = new()
    {
        Process = new Process
        {
            Args = ["sleep", "1000"],
            Env = ["PATH=/bin", "TERM=xterm"],
            Cwd = "/",
            User = new User { Uid = 0, Gid = 0 },
            NoNewPrivileges = true,
            ApparmorProfile = "container-default",
            Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Permitted = ["CAP_KILL"] },
            Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
        },
    };

    static Process Resolve(ExecRequest request, string? processJson = null) =>
        ExecProcess.Resolve(request, Container, _ => processJson ?? throw new FileNotFoundException("no file"));

    [Fact]
    public void TheCommandLineReplacesArgsAndKeepsTheRestOfTheContainersProcess()
    {
        var p = Resolve(new ExecRequest("c") { Args = ["ls", "-l"] });
        Assert.Equal(["ls", "-l"], p.Args);
        Assert.Equal(Container.Process!.Env, p.Env);
        Assert.Equal(Container.Process.Capabilities, p.Capabilities);
        Assert.Equal(Container.Process.Rlimits, p.Rlimits);
        Assert.True(p.NoNewPrivileges);
        Assert.Equal("container-default", p.ApparmorProfile);
        Assert.False(p.Terminal);
    }

    [Fact]
    public void FlagsOverrideAsRuncDoes()
    {
        var p = Resolve(new ExecRequest("c")
        {
            Args = ["id"],
            Cwd = "/tmp",
            Env = ["A=1"],
            User = "1000:100",
            AdditionalGids = [5, 6],
            Tty = true,
            AppArmorProfile = "other",
            ProcessLabel = "system_u:system_r:t:s0",
        });
        Assert.Equal("/tmp", p.Cwd);
        Assert.Equal(["PATH=/bin", "TERM=xterm", "A=1"], p.Env);
        Assert.Equal((1000u, 100u), (p.User.Uid, p.User.Gid));
        Assert.Equal([5u, 6u], p.User.AdditionalGids);
        Assert.True(p.Terminal);
        Assert.Equal("other", p.ApparmorProfile);
        Assert.Equal("system_u:system_r:t:s0", p.SelinuxLabel);
    }

    [Fact]
    public void AUidAloneKeepsTheGid()
    {
        var p = Resolve(new ExecRequest("c") { Args = ["id"], User = "42" });
        Assert.Equal((42u, 0u), (p.User.Uid, p.User.Gid));
    }

    [Fact]
    public void CapAddsToEverySetButInheritable_Cve_2022_29162()
    {
        var p = Resolve(new ExecRequest("c") { Args = ["id"], Capabilities = ["CAP_NET_ADMIN"] });
        var caps = p.Capabilities!;
        Assert.Equal(["CAP_KILL", "CAP_NET_ADMIN"], caps.Bounding);
        Assert.Equal(["CAP_KILL", "CAP_NET_ADMIN"], caps.Effective);
        Assert.Equal(["CAP_KILL", "CAP_NET_ADMIN"], caps.Permitted);
        Assert.Equal(["CAP_NET_ADMIN"], caps.Ambient);
        Assert.Null(caps.Inheritable);
    }

    [Fact]
    public void AProcessJsonIsUsedAsIsWithTheContainersCapsRlimitsAndLabelsWhereItHasNone()
    {
        var p = Resolve(new ExecRequest("c") { ProcessFile = "/x/process.json" },
            """{"args":["/bin/true"],"cwd":"/work","env":["X=y"],"user":{"uid":5,"gid":6}}""");
        Assert.Equal(["/bin/true"], p.Args);
        Assert.Equal("/work", p.Cwd);
        Assert.Equal(["X=y"], p.Env);
        Assert.Equal(5u, p.User.Uid);
        Assert.Equal(Container.Process!.Capabilities, p.Capabilities);
        Assert.Equal(Container.Process.Rlimits, p.Rlimits);
        Assert.Equal("container-default", p.ApparmorProfile);
        // As runc: a process.json decides no_new_privs itself.
        Assert.False(p.NoNewPrivileges);
    }

    [Fact]
    public void FlagsGivenWithAProcessJsonStillApply()
    {
        var p = Resolve(new ExecRequest("c") { ProcessFile = "/x/process.json", Env = ["B=2"], Tty = true, NoNewPrivileges = true },
            """{"args":["/bin/true"],"cwd":"/","env":["X=y"],"capabilities":{"bounding":["CAP_CHOWN"]}}""");
        Assert.Equal(["X=y", "B=2"], p.Env);
        Assert.True(p.Terminal);
        Assert.True(p.NoNewPrivileges);
        Assert.Equal(["CAP_CHOWN"], p.Capabilities!.Bounding);
    }

    [Theory]
    [InlineData("""{"args":["true"],"cwd":""}""", "Cwd property must not be empty")]
    [InlineData("""{"args":["true"],"cwd":"tmp"}""", "Cwd must be an absolute path")]
    [InlineData("""{"args":[],"cwd":"/"}""", "args must not be empty")]
    public void ABadProcessJsonIsRefusedAsRuncDoes(string json, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Resolve(new ExecRequest("c") { ProcessFile = "p.json" }, json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AnUnreadableProcessFileSaysWhich()
    {
        var e = Assert.Throws<HullException>(() => ExecProcess.Resolve(new ExecRequest("c") { ProcessFile = "/nope/p.json" }, Container,
            f => throw new DirectoryNotFoundException($"Could not find a part of the path '{f}'.")));
        Assert.Contains("/nope/p.json", e.Message);
    }

    [Fact]
    public void AMalformedProcessJsonNamesTheFile()
    {
        var e = Assert.Throws<ConfigException>(() => Resolve(new ExecRequest("c") { ProcessFile = "/x/p.json" }, "{\"args\": [1"));
        Assert.Contains("/x/p.json", e.Message);
    }
}
