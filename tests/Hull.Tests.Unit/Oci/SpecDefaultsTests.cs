using System.Text.Json.Nodes;
using Hull.Abstractions.Oci;
using Xunit;

namespace Hull.Tests.Unit.Oci;

/// <summary>`hull spec` must write what `runc spec` writes: compared with the installed runc.</summary>
public class SpecDefaultsTests
{
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void DefaultSpecIsRuncsByteForByte(bool rootless)
    {
        var expected = RuncSpec(rootless);
        var actual = OciJson.SerializeSpec(SpecDefaults.Create(rootless));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), "differs from runc spec as JSON");
        Assert.Equal(expected, actual);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void RuncsSpecSurvivesARoundTrip(bool rootless)
    {
        var expected = RuncSpec(rootless);
        Assert.Equal(expected, OciJson.SerializeSpec(OciJson.ParseConfig(expected)));
    }

    [Fact]
    public void RootlessMapsRootToTheGivenHostIds()
    {
        var linux = SpecDefaults.Create(rootless: true, hostUid: 1000, hostGid: 100).Linux!;
        Assert.Equal(new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 1 }, Assert.Single(linux.UidMappings!));
        Assert.Equal(new LinuxIdMapping { ContainerId = 0, HostId = 100, Size = 1 }, Assert.Single(linux.GidMappings!));
    }

    /// <summary>runc's config.json for this process's user (runc maps the caller's ids when rootless).</summary>
    private static string RuncSpec(bool rootless)
    {
        var dir = Directory.CreateTempSubdirectory("hull-spec-");
        try
        {
            Runc.Run(dir.FullName, rootless ? ["spec", "--rootless"] : ["spec"]);
            return File.ReadAllText(Path.Combine(dir.FullName, "config.json"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
