using Hull.Abstractions.Errors;
using Xunit;

namespace Hull.Tests.Unit.Cli;

/// <summary>runc's exit statuses: 1 for errors and usage, the process's own for run/exec, 255 for a failed exec, 3 for an unknown command.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void AMissingIdIsIncorrectUsageWithTheHelp()
    {
        var result = _cli.Run("state");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Incorrect Usage: \"state\" requires exactly 1 argument(s)", result.Out);
        Assert.Contains("NAME:\n   hull state - output the state of a container", result.Out);
        Assert.Equal("hull: \"state\" requires exactly 1 argument(s) (usage: hull state <container-id>)\n", result.Err);
        Assert.Empty(_cli.Backend.Requests);
    }

    [Fact]
    public void AnUnknownFlagIsIncorrectUsage()
    {
        var result = _cli.Run("delete", "--bogus", "x");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Incorrect Usage: flag provided but not defined: --bogus\n\nNAME:\n   hull delete", result.Out);
        Assert.Equal("hull: flag provided but not defined: --bogus\n", result.Err);
    }

    [Fact]
    public void ABadFlagValueIsIncorrectUsage()
    {
        var result = _cli.Run("create", "--preserve-fds", "many", "x");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("hull: invalid value \"many\" for flag --preserve-fds: expected a number of file descriptors, 0 or more\n", result.Err);
        Assert.StartsWith("Incorrect Usage: invalid value", result.Out);
        Assert.Empty(_cli.Backend.Requests);
    }

    [Fact]
    public void AnUnknownCommandExits3WithoutHelp()
    {
        var result = _cli.Run("frobnicate");
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("hull: unknown command \"frobnicate\": run 'hull --help' to see the commands\n", result.Err);
    }

    [Fact]
    public void BackendErrorsExit1WithTheirMessage()
    {
        using var cli = new CliHarness(new FakePlugin("fake", new ThrowingBackend(new ContainerNotFoundException("c1"))));
        var result = cli.Run("start", "c1");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("hull: container \"c1\" does not exist\n", result.Err);
    }

    [Fact]
    public void UnforeseenExceptionsAreStillOneLineAndExit1()
    {
        using var cli = new CliHarness(new FakePlugin("fake", new ThrowingBackend(new IOException("disk on fire"))));
        var result = cli.Run("start", "c1");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("hull: disk on fire\n", result.Err);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(42)]
    [InlineData(137)]
    public void ExecExitsWithTheProcesssStatus(int status)
    {
        _cli.Backend.ExecStatus = status;
        Assert.Equal(status, _cli.Run("exec", "c1", "sh").ExitCode);
    }

    [Fact]
    public void AFailedExecExits255()
    {
        _cli.Backend.ExecFailure = new InvalidStateException("c1", "exec", "stopped");
        var result = _cli.Run("exec", "c1", "sh");
        Assert.Equal(255, result.ExitCode);
        Assert.Equal("hull: exec failed: cannot exec container \"c1\": it is stopped\n", result.Err);
    }

    [Fact]
    public void AnExecTheBackendDoesNotProvideExits1()
    {
        _cli.Backend.ExecFailure = new CommandNotProvidedException("exec", "fake");
        var result = _cli.Run("exec", "c1", "sh");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("hull: exec is not provided by the 'fake' backend: choose another with HULL_BACKEND=<name>\n", result.Err);
    }

    [Fact]
    public void RunExitsWithTheContainersStatus()
    {
        _cli.Backend.RunStatus = 130;
        Assert.Equal(130, _cli.Run("run", "c1").ExitCode);
    }

    private sealed class ThrowingBackend(Exception failure) : Abstractions.Runtime.PlatformBackendBase
    {
        protected override string BackendName => "throwing";
        public override void Start(string id) => throw failure;
    }
}
