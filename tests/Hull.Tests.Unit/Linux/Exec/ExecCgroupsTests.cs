using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.Exec;

public class ExecCgroupsTests
{
    static readonly Dictionary<string, string> V1 = new()
    {
        ["memory"] = "/sys/fs/cgroup/memory/c",
        ["cpu"] = "/sys/fs/cgroup/cpu/c",
        ["cpuacct"] = "/sys/fs/cgroup/cpuacct/c",
        [""] = "/sys/fs/cgroup/unified/c",
    };

    [Fact]
    public void NoArgumentsLeaveTheContainersCgroups() =>
        Assert.Equal(V1, ExecCgroups.Apply(V1, ExecCgroups.Parse([])));

    [Fact]
    public void APathWithoutControllerIsForEveryController()
    {
        var paths = ExecCgroups.Apply(V1, ExecCgroups.Parse(["sub/dir"]));
        Assert.All(paths, p => Assert.Equal(V1[p.Key] + "/sub/dir", p.Value));
    }

    [Fact]
    public void ControllerPrefixesChooseTheirOwnSubCgroups()
    {
        var paths = ExecCgroups.Apply(V1, ExecCgroups.Parse(["cpu,cpuacct:a", "memory:b"]));
        Assert.Equal("/sys/fs/cgroup/cpu/c/a", paths["cpu"]);
        Assert.Equal("/sys/fs/cgroup/cpuacct/c/a", paths["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/memory/c/b", paths["memory"]);
        Assert.Equal("/sys/fs/cgroup/unified/c", paths[""]);
    }

    [Theory]
    [InlineData(new[] { "a:b:c" }, "invalid --cgroup argument: a:b:c")]
    [InlineData(new[] { "x", "memory:y" }, "missing <controller>: prefix")]
    [InlineData(new[] { "memory:../../escape" }, "below the container's cgroup")]
    [InlineData(new[] { "/" }, "below the container's cgroup")]
    public void BadArgumentsAreRefused(string[] args, string expected) =>
        Assert.Contains(expected, Assert.Throws<HullException>(() => ExecCgroups.Parse(args)).Message);

    [Fact]
    public void AControllerTheContainerLacksIsRefused() =>
        Assert.Contains("no rdma cgroup", Assert.Throws<HullException>(() => ExecCgroups.Apply(V1, ExecCgroups.Parse(["rdma:x"]))).Message);
}
