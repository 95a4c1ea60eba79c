using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Rootless;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootless;

public class RootlessConfigTests
{
    static Spec Config(bool userNs = true, string? userNsPath = null, params string[] devptsOptions) => new()
    {
        Mounts = [new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", .. devptsOptions] }],
        Linux = new()
        {
            Namespaces = userNs ? [new() { Type = "user", Path = userNsPath }, new() { Type = "pid" }] : [new() { Type = "pid" }],
            UidMappings = [new() { ContainerId = 0, HostId = 1000, Size = 1 }, new() { ContainerId = 1, HostId = 100000, Size = 65536 }],
            GidMappings = [new() { ContainerId = 0, HostId = 1000, Size = 1 }],
        },
    };

    [Fact]
    public void NotRootlessEuidChecksNothing()
    {
        Assert.Null(Record.Exception(() => RootlessConfig.Check(Config(userNs: false, null, "gid=5"), rootlessEuid: false, euid: 0)));
    }

    [Fact]
    public void RootlessEuidWithoutAUserNamespaceSaysWhatToAdd()
    {
        var e = Assert.Throws<ConfigException>(() => RootlessConfig.Check(Config(userNs: false), rootlessEuid: true, euid: 1000));
        Assert.Equal("linux.namespaces", e.JsonPath);
        Assert.Contains("rootless container requires a user namespace", e.Message);
        Assert.Contains("uid 1000", e.Message);
        Assert.Contains("hull spec --rootless", e.Message);
    }

    [Theory]
    [InlineData("uid=0")]
    [InlineData("uid=65536")]
    [InlineData("gid=0")]
    [InlineData("mode=0620")]
    [InlineData("gid=notanumber")]
    public void MappedOrUnrelatedMountOptionsPass(string option)
    {
        Assert.Null(Record.Exception(() => RootlessConfig.Check(Config(true, null, option), rootlessEuid: true, euid: 1000)));
    }

    [Theory]
    [InlineData("gid=5", "linux.gidMappings")]
    [InlineData("uid=65537", "linux.uidMappings")]
    public void AnUnmappedUidOrGidOptionIsRefused(string option, string maps)
    {
        var e = Assert.Throws<ConfigException>(() => RootlessConfig.Check(Config(true, null, option), rootlessEuid: true, euid: 1000));
        Assert.Contains($"cannot specify {option} mount option for rootless container", e.Message);
        Assert.Contains(maps, e.Message);
        Assert.Contains("/dev/pts", e.Message);
    }

    [Fact]
    public void AJoinedUserNamespaceLeavesMountOptionsToTheKernel()
    {
        Assert.Null(Record.Exception(() => RootlessConfig.Check(Config(true, "/proc/1/ns/user", "gid=5"), rootlessEuid: true, euid: 1000)));
    }
}
