using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class UserNamespaceMapsTests
{
    static readonly Spec Spec = new()
    {
        Linux = new()
        {
            UidMappings = [new() { ContainerId = 0, HostId = 1000, Size = 1 }, new() { ContainerId = 1, HostId = 100000, Size = 65536 }],
            GidMappings = [new() { ContainerId = 0, HostId = 1000, Size = 1 }],
        },
    };

    [Fact]
    public void PrivilegedWritesBothMapsInOneWriteEach()
    {
        var writes = new List<(string, string)>();
        new UserNamespaceMaps((p, t) => writes.Add((p, t))).Write(42, Spec, privileged: true);
        Assert.Equal([("/proc/42/uid_map", "0 1000 1\n1 100000 65536\n"), ("/proc/42/gid_map", "0 1000 1\n")], writes);
    }

    [Fact]
    public void UnprivilegedDeniesSetgroupsBeforeTheGidMap()
    {
        var writes = new List<string>();
        new UserNamespaceMaps((p, t) => writes.Add($"{p}={t}")).Write(7, Spec, privileged: false);
        Assert.Equal("/proc/7/setgroups=deny", writes[0]);
        Assert.EndsWith("gid_map=0 1000 1\n", writes[2]);
    }
}
