using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Rootless;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootless;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class IdMapPlanTests
{
    const uint Euid = 1000, Egid = 1001;

    static LinuxIdMapping Map(uint container, uint host, uint size) => new() { ContainerId = container, HostId = host, Size = size };

    static readonly IReadOnlyList<LinuxIdMapping> Subordinate = [Map(0, Euid, 1), Map(1, 100000, 65536)];

    static Spec Config(IReadOnlyList<LinuxIdMapping> uids, IReadOnlyList<LinuxIdMapping> gids, string? userNsPath = null) => new()
    {
        Linux = new()
        {
            Namespaces = [new() { Type = "user", Path = userNsPath }, new() { Type = "mount" }],
            UidMappings = uids,
            GidMappings = gids,
        },
    };

    static string? Installed(string name) => "/usr/bin/" + name;

    static string? Missing(string name) => null;

    [Fact]
    public void NotRootlessWritesDirectlyAndKeepsSetgroups()
    {
        var plan = IdMapPlan.Decide(Config(Subordinate, Subordinate), createsUserNamespace: true, rootlessEuid: false, 0, 0, Missing);
        Assert.False(plan.DenySetgroups);
        Assert.Null(plan.Uid.Helper);
        Assert.Null(plan.Gid.Helper);
        Assert.Same(Subordinate, plan.Uid.Maps);
    }

    [Fact]
    public void RootlessOwnIdsOnlyNeedNoHelperButDenySetgroups()
    {
        var plan = IdMapPlan.Decide(Config([Map(0, Euid, 1)], [Map(0, Egid, 1)]), createsUserNamespace: true, rootlessEuid: true, Euid, Egid, Missing);
        Assert.True(plan.DenySetgroups);
        Assert.Null(plan.Uid.Helper);
        Assert.Null(plan.Gid.Helper);
    }

    [Fact]
    public void TheOwnIdMayAppearAsAnyContainerId()
    {
        var plan = IdMapPlan.Decide(Config([Map(1000, Euid, 1)], [Map(1000, Egid, 1)]), createsUserNamespace: true, rootlessEuid: true, Euid, Egid, Missing);
        Assert.Null(plan.Uid.Helper);
        Assert.Null(plan.Gid.Helper);
    }

    [Fact]
    public void RootlessRangesGoThroughNewuidmapAndNewgidmapAndLeaveSetgroupsToThem()
    {
        var plan = IdMapPlan.Decide(Config(Subordinate, [Map(0, Egid, 1), Map(1, 100000, 65536)]), createsUserNamespace: true, rootlessEuid: true, Euid, Egid, Installed);
        Assert.Equal("/usr/bin/newuidmap", plan.Uid.Helper);
        Assert.Equal("/usr/bin/newgidmap", plan.Gid.Helper);
        Assert.False(plan.DenySetgroups);
        Assert.Equal(["77", "0", "1000", "1", "1", "100000", "65536"], plan.Uid.HelperArgs(77));
    }

    [Fact]
    public void ASubordinateUidRangeWithAnOwnGidMixesHelperAndDirect()
    {
        var plan = IdMapPlan.Decide(Config(Subordinate, [Map(0, Egid, 1)]), createsUserNamespace: true, rootlessEuid: true, Euid, Egid, Installed);
        Assert.Equal("/usr/bin/newuidmap", plan.Uid.Helper);
        Assert.Null(plan.Gid.Helper);
        Assert.True(plan.DenySetgroups);
    }

    [Theory]
    [InlineData("uid", "newuidmap", "/etc/subuid")]
    [InlineData("gid", "newgidmap", "/etc/subgid")]
    public void AMissingHelperIsAClearConfigError(string kind, string helper, string file)
    {
        var config = kind == "uid" ? Config(Subordinate, [Map(0, Egid, 1)]) : Config([Map(0, Euid, 1)], Subordinate);
        var e = Assert.Throws<ConfigException>(() => IdMapPlan.Decide(config, createsUserNamespace: true, rootlessEuid: true, Euid, Egid, Missing));
        Assert.Equal($"linux.{kind}Mappings", e.JsonPath);
        Assert.Contains(helper, e.Message);
        Assert.Contains("package uidmap", e.Message);
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void AnotherUsersSingleIdIsNotOwnAndNeedsTheHelper()
    {
        var plan = IdMapPlan.Decide(Config([Map(0, 4242, 1)], [Map(0, Egid, 1)]), createsUserNamespace: true, rootlessEuid: true, Euid, Egid, Installed);
        Assert.Equal("/usr/bin/newuidmap", plan.Uid.Helper);
    }

    [Fact]
    public void AJoinedUserNamespaceNeedsNoHelper()
    {
        var plan = IdMapPlan.Decide(Config(Subordinate, Subordinate, userNsPath: "/proc/1/ns/user"), createsUserNamespace: false, rootlessEuid: true, Euid, Egid, Missing);
        Assert.Null(plan.Uid.Helper);
        Assert.Null(plan.Gid.Helper);
    }

    [Fact]
    public void OnPathFindsAnExecutableInAnAbsoluteDirectoryAndNothingElse()
    {
        var dir = Directory.CreateTempSubdirectory("hull-path-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "tool"), "#!/bin/sh\n");
            File.SetUnixFileMode(Path.Combine(dir, "tool"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
            File.WriteAllText(Path.Combine(dir, "data"), "");
            var find = IdMapPlan.OnPath($"relative:{dir}");
            Assert.Equal(Path.Combine(dir, "tool"), find("tool"));
            Assert.Null(find("data"));
            Assert.Null(find("absent"));
            Assert.Null(IdMapPlan.OnPath(Path.GetRelativePath(Environment.CurrentDirectory, dir))("tool"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
