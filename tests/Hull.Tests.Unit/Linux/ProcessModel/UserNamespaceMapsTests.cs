using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Process;
using Hull.Plugins.Linux.Rootless;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class UserNamespaceMapsTests
{
    static readonly IReadOnlyList<LinuxIdMapping> Multi = [new() { ContainerId = 0, HostId = 1000, Size = 1 }, new() { ContainerId = 1, HostId = 100000, Size = 65536 }];
    static readonly IReadOnlyList<LinuxIdMapping> Own = [new() { ContainerId = 0, HostId = 1000, Size = 1 }];

    static (List<string> Writes, List<string> Helpers) Run(IdMapPlan plan)
    {
        var writes = new List<string>();
        var helpers = new List<string>();
        new UserNamespaceMaps((p, t) => writes.Add($"{p}={t}"), (h, a) => helpers.Add($"{h} {string.Join(' ', a)}")).Write(42, plan);
        return (writes, helpers);
    }

    [Fact]
    public void DirectPlanWritesBothMapsInOneWriteEachAndLeavesSetgroupsAlone()
    {
        var (writes, helpers) = Run(new IdMapPlan(false, new IdMapStep("uid", Multi, null), new IdMapStep("gid", Own, null)));
        Assert.Equal(["/proc/42/uid_map=0 1000 1\n1 100000 65536\n", "/proc/42/gid_map=0 1000 1\n"], writes);
        Assert.Empty(helpers);
    }

    [Fact]
    public void DenyingSetgroupsComesBeforeTheGidMap()
    {
        var (writes, _) = Run(new IdMapPlan(true, new IdMapStep("uid", Own, null), new IdMapStep("gid", Own, null)));
        Assert.Equal(["/proc/42/setgroups=deny", "/proc/42/uid_map=0 1000 1\n", "/proc/42/gid_map=0 1000 1\n"], writes);
    }

    [Fact]
    public void HelperStepsRunNewuidmapAndNewgidmapWithEveryRange()
    {
        var (writes, helpers) = Run(new IdMapPlan(false, new IdMapStep("uid", Multi, "/usr/bin/newuidmap"), new IdMapStep("gid", Multi, "/usr/bin/newgidmap")));
        Assert.Empty(writes);
        Assert.Equal(["/usr/bin/newuidmap 42 0 1000 1 1 100000 65536", "/usr/bin/newgidmap 42 0 1000 1 1 100000 65536"], helpers);
    }

    [Fact]
    public void AHelperForUidsAndAnOwnGidMixDirectAndHelper()
    {
        var (writes, helpers) = Run(new IdMapPlan(true, new IdMapStep("uid", Multi, "/usr/bin/newuidmap"), new IdMapStep("gid", Own, null)));
        Assert.Equal(["/proc/42/setgroups=deny", "/proc/42/gid_map=0 1000 1\n"], writes);
        Assert.Equal(["/usr/bin/newuidmap 42 0 1000 1 1 100000 65536"], helpers);
    }
}
