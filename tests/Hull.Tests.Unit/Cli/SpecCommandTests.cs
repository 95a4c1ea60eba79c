using Hull.Abstractions.Oci;
using Hull.Tests.Unit.Oci;
using Xunit;

namespace Hull.Tests.Unit.Cli;

public sealed class SpecCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void WritesTheSameConfigAsRuncSpec(bool rootless)
    {
        var runcDir = Directory.CreateDirectory(_cli.PathIn("runc")).FullName;
        Runc.Run(runcDir, rootless ? ["spec", "--rootless"] : ["spec"]);
        Directory.CreateDirectory(_cli.PathIn("hull"));
        var result = _cli.Run(rootless ? ["spec", "-b", "hull", "--rootless"] : ["spec", "--bundle=hull"]);
        Assert.Equal((0, "", ""), (result.ExitCode, result.Out, result.Err));
        Assert.Equal(File.ReadAllText(Path.Combine(runcDir, "config.json")), File.ReadAllText(_cli.PathIn("hull/config.json")));
    }

    [Fact]
    public void WritesIntoTheWorkingDirectoryByDefault()
    {
        Assert.Equal(0, _cli.Run("spec").ExitCode);
        Assert.Equal(OciJson.SerializeSpec(SpecDefaults.Create(false)), File.ReadAllText(_cli.PathIn("config.json")));
        Assert.Empty(_cli.Backend.Requests);
    }

    [Fact]
    public void RefusesToOverwriteAnExistingConfigAsRunc()
    {
        File.WriteAllText(_cli.PathIn("config.json"), "mine");
        var result = _cli.Run("spec");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("hull: File config.json exists. Remove it first\n", result.Err);
        Assert.Equal("mine", File.ReadAllText(_cli.PathIn("config.json")));
    }

    [Fact]
    public void AMissingBundleDirectoryIsAClearError()
    {
        var result = _cli.Run("spec", "-b", "nowhere");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"hull: bundle directory {_cli.PathIn("nowhere")} does not exist: create it first, or give another with --bundle\n", result.Err);
        Assert.False(Directory.Exists(_cli.PathIn("nowhere")));
    }
}
