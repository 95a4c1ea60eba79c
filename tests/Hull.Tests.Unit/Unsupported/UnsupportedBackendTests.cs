using Hull.Abstractions.Oci;
using Hull.Plugins.Linux;
using Hull.Plugins.Unsupported;
using Hull.Tests.Unit.Cli;
using Xunit;

namespace Hull.Tests.Unit.Unsupported;

/// <summary>
/// On a platform without a container backend every lifecycle command fails at once, exit 1, with
/// one line naming the command and the platform, and creates nothing; help, version, spec and
/// features still work.
/// </summary>
public sealed class UnsupportedBackendTests : IDisposable
{
    private readonly CliHarness _cli = new(new LinuxPlugin(), new UnsupportedPlugin());

    public UnsupportedBackendTests() => _cli.Platform = CliHarness.MacOs;

    public void Dispose() => _cli.Dispose();

    public static TheoryData<string, string[]> LifecycleCommands => new()
    {
        { "create", ["create", "--pid-file", "pid", "-b", ".", "c1"] },
        { "start", ["start", "c1"] },
        { "run", ["run", "--pid-file", "pid", "-d", "c1"] },
        { "state", ["state", "c1"] },
        { "list", ["list"] },
        { "list", ["ls", "-q"] },
        { "kill", ["kill", "c1", "KILL"] },
        { "delete", ["delete", "-f", "c1"] },
        { "delete", ["rm", "c1"] },
        { "exec", ["exec", "--pid-file", "pid", "c1", "sh"] },
        { "ps", ["ps", "c1"] },
        { "ps", ["ps", "-f", "json", "c1"] },
        { "pause", ["pause", "c1"] },
        { "resume", ["resume", "c1"] },
        { "events", ["events", "--stats", "c1"] },
        { "update", ["update", "--memory", "1g", "c1"] },
        { "checkpoint", ["checkpoint", "--image-path", "img", "c1"] },
        { "restore", ["restore", "--image-path", "img", "--pid-file", "pid", "c1"] },
    };

    [Theory]
    [MemberData(nameof(LifecycleCommands))]
    public void EveryLifecycleCommandIsRefusedInOneLine(string command, string[] args)
    {
        var before = Directory.GetFileSystemEntries(_cli.WorkingDirectory);
        var result = _cli.Run(args);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"hull: {command} is not supported on macOS 15.1: this platform has no container backend\n", result.Err);
        Assert.Equal("", result.Out);
        Assert.Equal(before, Directory.GetFileSystemEntries(_cli.WorkingDirectory));
    }

    [Fact]
    public void OnLinuxTheVariableSelectsIt()
    {
        _cli.Platform = CliHarness.Linux;
        _cli.Variables["HULL_BACKEND"] = "unsupported";
        var result = _cli.Run("state", "c1");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("hull: state is not supported on Linux 6.18.0: this platform has no container backend\n", result.Err);
    }

    [Fact]
    public void TheRefusalIsAJsonLineInTheLogFile()
    {
        var log = _cli.PathIn("log.json");
        var result = _cli.Run("--log", log, "--log-format", "json", "start", "c1");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("{\"level\":\"error\",\"msg\":\"start is not supported on macOS 15.1: this platform has no container backend\",\"time\":\"2026-11-30T07:28:47Z\"}\n",
            File.ReadAllText(log));
    }

    [Fact]
    public void FeaturesIsTheHonestEmptySet()
    {
        var result = _cli.Run("features");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(OciJson.SerializeFeatures(Features.Empty), result.Out);
    }

    [Fact]
    public void HelpVersionAndSpecStillWork()
    {
        Assert.Equal(0, _cli.Run("--help").ExitCode);
        Assert.Equal(0, _cli.Run("create", "--help").ExitCode);
        Assert.Contains("plugins: linux (backend), unsupported (backend)", _cli.Run("--version").Out);
        var spec = _cli.Run("spec");
        Assert.Equal((0, ""), (spec.ExitCode, spec.Err));
        Assert.True(File.Exists(_cli.PathIn("config.json")));
    }

    [Fact]
    public void ItSupportsEveryPlatformAtTheLowestPriority()
    {
        var plugin = new UnsupportedPlugin();
        Assert.True(plugin.SupportsPlatform(CliHarness.Linux));
        Assert.True(plugin.SupportsPlatform(CliHarness.MacOs));
        Assert.True(plugin.Priority < new LinuxPlugin().Priority);
    }
}
