using System.Buffers.Binary;
using System.Text;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class BootstrapDataTests
{
    static Spec With(Hull.Abstractions.Oci.Linux linux, string? hostname = null) => new() { Hostname = hostname, Linux = linux };

    static LinuxNamespace Ns(string type, string? path = null) => new() { Type = type, Path = path };

    static readonly LinuxIdMapping[] Map = [new() { ContainerId = 0, HostId = 100000, Size = 65536 }];

    [Fact]
    public void NamespacesWithoutPathAreCreatedAndWithPathJoined()
    {
        var boot = BootstrapData.From(With(new() { Namespaces = [Ns("pid"), Ns("mount"), Ns("network", "/run/netns/x"), Ns("uts")] }));
        Assert.Equal(NamespaceFlags.Pid | NamespaceFlags.Mount | NamespaceFlags.Uts, boot.CloneFlags);
        Assert.Equal([(NamespaceFlags.Network, "/run/netns/x")], boot.Joins);
        Assert.False(boot.CreatesUserNamespace);
    }

    [Fact]
    public void EncodesTheAttributesBootstrapCParses()
    {
        var boot = new BootstrapData(NamespaceFlags.Pid, [(NamespaceFlags.Ipc, "/p")], "boottime 5 0\n");
        var bytes = boot.Encode();
        var attrs = new List<(uint Attr, byte[] Value)>();
        for (var off = 0; off < bytes.Length;)
        {
            var attr = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(off));
            var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(off + 4));
            attrs.Add((attr, bytes[(off + 8)..(off + 8 + len)]));
            off += 8 + len;
        }
        Assert.Equal(3, attrs.Count);
        Assert.Equal(1u, attrs[0].Attr);
        Assert.Equal(BitConverter.GetBytes(NamespaceFlags.Pid), attrs[0].Value);
        Assert.Equal(2u, attrs[1].Attr);
        Assert.Equal(NamespaceFlags.Ipc, BinaryPrimitives.ReadUInt32LittleEndian(attrs[1].Value));
        Assert.Equal("/p\0", Encoding.UTF8.GetString(attrs[1].Value[4..]));
        Assert.Equal((3u, "boottime 5 0\n"), (attrs[2].Attr, Encoding.UTF8.GetString(attrs[2].Value)));
    }

    [Fact]
    public void CgroupsGoAsNulTerminatedV1DirectoriesThenTheV2One()
    {
        // A hybrid host's paths: co-mounted controllers share a directory, entered once; "" is cgroup2.
        var entry = CgroupEntry.From(new Dictionary<string, string>
        {
            ["cpu"] = "/sys/fs/cgroup/cpu,cpuacct/c",
            ["cpuacct"] = "/sys/fs/cgroup/cpu,cpuacct/c",
            ["pids"] = "/sys/fs/cgroup/pids/c",
            [""] = "/sys/fs/cgroup/unified/c",
        });
        Assert.Equal(["/sys/fs/cgroup/cpu,cpuacct/c", "/sys/fs/cgroup/pids/c"], entry.V1);
        Assert.Equal("/sys/fs/cgroup/unified/c", entry.V2);

        var bytes = (new BootstrapData(0, [], null) { Cgroups = entry }).Encode();
        var attrs = new List<(uint Attr, string Value)>();
        for (var off = 0; off < bytes.Length;)
        {
            var attr = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(off));
            var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(off + 4));
            attrs.Add((attr, Encoding.UTF8.GetString(bytes, off + 8, len)));
            off += 8 + len;
        }
        Assert.Equal([(5u, "/sys/fs/cgroup/cpu,cpuacct/c\0"), (5u, "/sys/fs/cgroup/pids/c\0"), (6u, "/sys/fs/cgroup/unified/c\0")], attrs[1..]);
        // A pure v2 host: the one directory the init is cloned into.
        var v2 = CgroupEntry.From(new Dictionary<string, string> { [""] = "/sys/fs/cgroup/c" });
        Assert.Empty(v2.V1);
        Assert.Equal("/sys/fs/cgroup/c", v2.V2);
    }

    [Fact]
    public void TimeOffsetsBecomeTimensOffsetsLines()
    {
        var boot = BootstrapData.From(With(new()
        {
            Namespaces = [Ns("time")],
            TimeOffsets = new Dictionary<string, LinuxTimeOffset> { ["monotonic"] = new() { Secs = -5, Nanosecs = 7 } },
        }));
        Assert.Equal("monotonic -5 7\n", boot.TimeOffsets);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("net")]
    public void UnknownNamespaceTypesAreRefused(string type) =>
        Assert.Contains("not supported", Assert.Throws<ConfigException>(() => BootstrapData.From(With(new() { Namespaces = [Ns(type)] }))).Message);

    [Fact]
    public void ANamespaceListedTwiceIsRefused() =>
        Assert.Contains("twice", Assert.Throws<ConfigException>(() => BootstrapData.From(With(new() { Namespaces = [Ns("pid"), Ns("pid", "/x")] }))).Message);

    [Fact]
    public void ANewUserNamespaceNeedsMappings() =>
        Assert.Throws<ConfigException>(() => BootstrapData.From(With(new() { Namespaces = [Ns("user")], UidMappings = Map })));

    [Fact]
    public void MappingsWithoutAUserNamespaceAreRefused() =>
        Assert.Throws<ConfigException>(() => BootstrapData.From(With(new() { Namespaces = [Ns("pid")], UidMappings = Map, GidMappings = Map })));

    [Fact]
    public void TimeOffsetsNeedANewTimeNamespace() =>
        Assert.Throws<ConfigException>(() => BootstrapData.From(With(new()
        {
            TimeOffsets = new Dictionary<string, LinuxTimeOffset> { ["boottime"] = new() { Secs = 1 } },
        })));

    [Fact]
    public void AHostnameNeedsAPrivateUtsNamespace() =>
        Assert.Equal("unable to set hostname without a private UTS namespace",
            Assert.Throws<ConfigException>(() => BootstrapData.From(With(new() { Namespaces = [Ns("pid")] }, hostname: "box"))).Message);
}
