using Hull.Plugins.Linux.Cgroups;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

public class CgroupPathsTests
{
    static string Inner(string? path, string id = "c1") => CgroupPaths.Inner(new CgroupConfig { Name = id, Path = path });

    [Theory]
    [InlineData(null, "c1")]
    [InlineData("", "c1")]
    [InlineData("/hull/c1", "/hull/c1")]
    [InlineData("hull//c1/", "hull/c1")]
    [InlineData("../../etc", "etc")]
    [InlineData("/a/../../b/./c", "/b/c")]
    [InlineData("system.slice:docker:abc", "system.slice:docker:abc")]
    public void CgroupsPathIsCleanedAndCanNeverClimbOutOfTheHierarchy(string? path, string expected) =>
        Assert.Equal(expected, Inner(path));

    [Theory]
    [InlineData("/", "the root cgroup")]
    [InlineData("/..", "the root cgroup")]
    [InlineData(".", "hull's own cgroup")]
    [InlineData("a/..", "hull's own cgroup")]
    public void APathNamingTheRootOrOurOwnCgroupIsRefused(string path, string what)
    {
        var e = Assert.Throws<CgroupException>(() => Inner(path));
        Assert.Contains(what, e.Message);
        Assert.Contains("/hull/c1", e.Message); // says what to do instead
    }

    [Fact]
    public void ANulByteIsRefused() => Assert.Throws<CgroupException>(() => Inner("a\0b"));

    [Fact]
    public void V1RelativePathsGoUnderOurOwnCgroupOfThatHierarchy()
    {
        var host = CgroupHost.Parse(
            "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu",
            "4:memory:/process_api/707b\n1:cpu:/\n");
        Assert.Equal("/sys/fs/cgroup/memory/process_api/707b/c1", CgroupPaths.V1(host, host.FindV1("memory")!, "memory", "c1"));
        Assert.Equal("/sys/fs/cgroup/cpu/c1", CgroupPaths.V1(host, host.FindV1("cpu")!, "cpu", "c1"));
        Assert.Equal("/sys/fs/cgroup/memory/hull/c1", CgroupPaths.V1(host, host.FindV1("memory")!, "memory", "/hull/c1"));
    }

    [Fact]
    public void V1PathsAreMappedThroughTheMountRoot()
    {
        // Inside a container the hierarchy is often mounted from a sub-cgroup.
        var host = CgroupHost.Parse("35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", "4:memory:/docker/abc/sub\n");
        Assert.Equal("/sys/fs/cgroup/memory/sub/c1", CgroupPaths.V1(host, host.FindV1("memory")!, "memory", "c1"));
    }

    [Fact]
    public void V2RelativePathsGoBesideOurOwnCgroupWhichHasProcesses()
    {
        var host = CgroupHost.Parse("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw", "0::/user.slice/session-1.scope\n");
        Assert.Equal("/sys/fs/cgroup/user.slice/c1", CgroupPaths.Unified(host, "c1", besideOwn: true));
        Assert.Equal("/sys/fs/cgroup/user.slice/session-1.scope/c1", CgroupPaths.Unified(host, "c1", besideOwn: false));
        Assert.Equal("/sys/fs/cgroup/hull/c1", CgroupPaths.Unified(host, "/hull/c1", besideOwn: true));
    }
}
