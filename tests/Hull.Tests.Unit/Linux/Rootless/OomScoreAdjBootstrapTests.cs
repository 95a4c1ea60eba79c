using System.Buffers.Binary;
using System.Text;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootless;

/// <summary>
/// process.oomScoreAdj travels to the C bootstrap, which writes it while still dumpable: later
/// /proc/self/oom_score_adj belongs to the host's root and an unprivileged hull could not write it.
/// </summary>
public class OomScoreAdjBootstrapTests
{
    static List<(uint Attr, string Value)> Attributes(BootstrapData boot)
    {
        var bytes = boot.Encode();
        var attrs = new List<(uint, string)>();
        for (var off = 0; off < bytes.Length;)
        {
            var attr = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(off));
            var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(off + 4));
            attrs.Add((attr, Encoding.UTF8.GetString(bytes, off + 8, len)));
            off += 8 + len;
        }
        return attrs;
    }

    static Spec WithOomScoreAdj(int? adj) => new()
    {
        Process = new() { Args = ["true"], OomScoreAdj = adj },
        Linux = new() { Namespaces = [new() { Type = "pid" }] },
    };

    [Theory]
    [InlineData(500, "500")]
    [InlineData(-1000, "-1000")]
    [InlineData(0, "0")]
    public void TheConfigsValueIsAnAttribute(int adj, string text)
    {
        var boot = BootstrapData.From(WithOomScoreAdj(adj));
        Assert.Equal(adj, boot.OomScoreAdj);
        Assert.Contains((4u, text), Attributes(boot));
    }

    [Fact]
    public void NoValueNoAttribute()
    {
        var boot = BootstrapData.From(WithOomScoreAdj(null));
        Assert.Null(boot.OomScoreAdj);
        Assert.DoesNotContain(Attributes(boot), a => a.Attr == 4);
    }
}
