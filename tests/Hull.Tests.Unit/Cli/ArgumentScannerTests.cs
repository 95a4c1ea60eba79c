using Hull.Cli;
using Hull.Cli.CommandLine;
using Xunit;

namespace Hull.Tests.Unit.Cli;

/// <summary>The pre-pass that gives hull runc's flag grammar before System.CommandLine binds values.</summary>
public sealed class ArgumentScannerTests
{
    private static readonly HullCommand Root = CommandTree.Build(new CliSession(
        new HostEnvironment(TextWriter.Null, TextWriter.Null, () => TextReader.Null, _ => null, CliHarness.Linux, "/", () => CliHarness.Now,
            () => CancellationToken.None),
        new StaticPluginCatalog([]))).Root;

    private static ScanResult Scan(params string[] args) => ArgumentScanner.Scan(Root, args, "hull");

    private static void Normalizes(string[] args, string[] expected)
    {
        var result = Scan(args);
        Assert.Null(result.Error);
        Assert.Equal(expected, result.Arguments);
    }

    [Fact]
    public void ExecOperandsAfterTheIdBelongToTheProcess() =>
        Normalizes(["exec", "-t", "id", "sh", "-c", "x"], ["exec", "--tty", "--", "id", "sh", "-c", "x"]);

    [Fact]
    public void ExecValueFlagsBeforeTheIdAreStillFlags() =>
        Normalizes(["exec", "-e", "A=1", "--cwd", "/", "-u=0", "id", "-e", "B"], ["exec", "--env=A=1", "--cwd=/", "--user=0", "--", "id", "-e", "B"]);

    [Fact]
    public void PsOptionsAfterTheIdArePss() =>
        Normalizes(["ps", "-f", "table", "id", "-f", "-o", "pid"], ["ps", "--format=table", "--", "id", "-f", "-o", "pid"]);

    [Fact]
    public void AValueThatLooksLikeAFlagIsAValue() =>
        Normalizes(["exec", "--cwd", "--weird", "--env", "-x", "id", "true"], ["exec", "--cwd=--weird", "--env=-x", "--", "id", "true"]);

    [Fact]
    public void AnEmptyValueIsKept() =>
        Normalizes(["create", "--pid-file=", "id"], ["create", "--pid-file", "", "--", "id"]);

    [Fact]
    public void GlobalFlagsMoveInFrontOfTheCommand() =>
        Normalizes(["state", "--root", "/r", "id", "--debug", "--log=/l"], ["--root=/r", "--debug", "--log=/l", "state", "--", "id"]);

    [Fact]
    public void SingleDashLongNamesAndDoubleDashShortNamesAreTheSameFlag() =>
        Normalizes(["-root", "/r", "run", "--d", "-bundle=/b", "id"], ["--root=/r", "run", "--detach", "--bundle=/b", "--", "id"]);

    [Fact]
    public void FalseBooleansDisappearAndTrueOnesStay() =>
        Normalizes(["run", "--detach=false", "--keep=TRUE", "--no-pivot", "--no-pivot=0", "id"], ["run", "--keep", "--", "id"]);

    [Fact]
    public void ACommandsOwnFlagWinsOverTheGlobalOfTheSameName()
    {
        // spec --rootless is a boolean; the global --rootless takes auto|true|false.
        Normalizes(["--rootless", "true", "spec", "--rootless"], ["--rootless=true", "spec", "--rootless", "--"]);
    }

    [Fact]
    public void DoubleDashEndsFlags() =>
        Normalizes(["kill", "--", "-id", "-9"], ["kill", "--", "-id", "-9"]);

    [Fact]
    public void AliasesFindTheirCommand()
    {
        Assert.Equal("list", Scan("ls").Command?.Name);
        Assert.Equal("delete", Scan("rm", "x").Command?.Name);
        Assert.Equal("help", Scan("h").Command?.Name);
    }

    [Theory]
    [InlineData(new[] { "--bogus", "list" }, "flag provided but not defined: --bogus", "hull")]
    [InlineData(new[] { "state", "--bogus=1", "x" }, "flag provided but not defined: --bogus", "state")]
    [InlineData(new[] { "exec", "-td", "x", "sh" }, "flag provided but not defined: -td", "exec")]
    [InlineData(new[] { "create", "--pid-file" }, "flag needs an argument: --pid-file", "create")]
    [InlineData(new[] { "delete", "--force=maybe", "x" }, "invalid boolean value \"maybe\" for flag --force: use true or false", "delete")]
    [InlineData(new[] { "state" }, "\"state\" requires exactly 1 argument(s) (usage: hull state <container-id>)", "state")]
    [InlineData(new[] { "state", "a", "b" }, "\"state\" requires exactly 1 argument(s) (usage: hull state <container-id>)", "state")]
    [InlineData(new[] { "kill" }, "\"kill\" requires a minimum of 1 argument(s) (usage: hull kill [command options] <container-id> [signal])", "kill")]
    [InlineData(new[] { "kill", "a", "b", "c" }, "\"kill\" requires a maximum of 2 argument(s) (usage: hull kill [command options] <container-id> [signal])", "kill")]
    [InlineData(new[] { "list", "extra" }, "\"list\" requires exactly 0 argument(s) (usage: hull list [command options])", "list")]
    [InlineData(new[] { "exec" }, "\"exec\" requires a minimum of 1 argument(s) (usage: hull exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>)", "exec")]
    public void UsageErrorsSayWhatWasWrong(string[] args, string message, string helpFor)
    {
        var error = Scan(args).Error;
        Assert.NotNull(error);
        Assert.Equal(message, error.Message);
        Assert.Equal(helpFor, error.HelpFor?.Name);
        Assert.Equal(1, error.ExitCode);
    }

    [Fact]
    public void AnUnknownCommandExits3AsRunc()
    {
        var error = Scan("frobnicate", "x").Error;
        Assert.Equal(new UsageError("unknown command \"frobnicate\": run 'hull --help' to see the commands", null, 3), error);
    }

    [Fact]
    public void HelpSkipsTheOperandCount()
    {
        Assert.Null(Scan("state", "--help").Error);
        Assert.Null(Scan("kill", "-h").Error);
        Assert.Equal("\"state\" requires exactly 1 argument(s) (usage: hull state <container-id>)", Scan("state", "--help=false").Error?.Message);
    }
}
