using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Cli.Logging;
using Xunit;

namespace Hull.Tests.Unit.Cli;

/// <summary>Where errors go and in what shape: stderr as "hull: ...", --log files in text or JSON lines as runc writes.</summary>
public sealed class LoggingTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public LoggingTests() => _cli.Backend.ExecFailure = new ContainerNotFoundException("c1");

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void AnErrorIsOneLineOnStderr()
    {
        var result = _cli.Run("exec", "c1", "true");
        Assert.Equal("hull: exec failed: container \"c1\" does not exist\n", result.Err);
    }

    [Fact]
    public void WithALogFileTheErrorGoesToTheFileAndStillToStderr()
    {
        var log = _cli.PathIn("log.json");
        var result = _cli.Run("--log", log, "--log-format", "json", "exec", "c1", "true");
        Assert.Equal(255, result.ExitCode);
        Assert.Equal("hull: exec failed: container \"c1\" does not exist\n", result.Err);
        Assert.Equal("{\"level\":\"error\",\"msg\":\"exec failed: container \\\"c1\\\" does not exist\",\"time\":\"2026-11-30T07:28:47Z\"}\n",
            File.ReadAllText(log));
    }

    [Fact]
    public void TheLogFileIsAppendedTo()
    {
        var log = _cli.PathIn("log.json");
        File.WriteAllText(log, "earlier\n");
        _cli.Run("--log", log, "--log-format=json", "exec", "c1", "true");
        _cli.Run("--log", log, "--log-format=json", "exec", "c1", "true");
        var lines = File.ReadAllLines(log);
        Assert.Equal(3, lines.Length);
        Assert.Equal("earlier", lines[0]);
        foreach (var line in lines[1..])
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal("error", json.RootElement.GetProperty("level").GetString());
        }
    }

    [Fact]
    public void ATextLogFileHasLogrusLines()
    {
        var log = _cli.PathIn("log.txt");
        _cli.Run("--log", log, "exec", "c1", "true");
        Assert.Equal("time=\"2026-11-30T07:28:47Z\" level=error msg=\"exec failed: container \\\"c1\\\" does not exist\"\n", File.ReadAllText(log));
    }

    [Fact]
    public void JsonWithoutALogFileGoesToStderrAsJson()
    {
        var result = _cli.Run("--log-format", "json", "exec", "c1", "true");
        Assert.Equal("{\"level\":\"error\",\"msg\":\"exec failed: container \\\"c1\\\" does not exist\",\"time\":\"2026-11-30T07:28:47Z\"}\n", result.Err);
    }

    [Fact]
    public void UsageErrorsAreLoggedToo()
    {
        var log = _cli.PathIn("log.json");
        var result = _cli.Run("--log", log, "--log-format", "json", "state");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("\"msg\":\"\\\"state\\\" requires exactly 1 argument(s)", File.ReadAllText(log));
    }

    [Fact]
    public void DebugLinesOnlyWithDebug()
    {
        Assert.DoesNotContain("debug", _cli.Run("list").Err);
        var result = _cli.Run("--debug", "list");
        Assert.Contains("hull: debug: backend: fake (priority 0) on Linux 6.18.0\n", result.Err);
    }

    [Fact]
    public void JsonLinesEscapeAsGo()
    {
        var line = LogLine.Json(LogLevel.Warning, "a \"b\"\n\t<c> & \\ \u0001 é", CliHarness.Now);
        Assert.Equal("{\"level\":\"warning\",\"msg\":\"a \\\"b\\\"\\n\\t\\u003cc\\u003e \\u0026 \\\\ \\u0001 é\",\"time\":\"2026-11-30T07:28:47Z\"}", line);
        using var json = JsonDocument.Parse(line);
        Assert.Equal("a \"b\"\n\t<c> & \\ \u0001 é", json.RootElement.GetProperty("msg").GetString());
    }

    [Fact]
    public void JsonTimesCarryFractionsAndOffsets()
    {
        var time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234500);
        Assert.Contains("\"time\":\"2026-01-02T03:04:05.12345+02:00\"", LogLine.Json(LogLevel.Info, "x", time));
    }

    [Fact]
    public void AnUnwritableLogFileFallsBackToStderr()
    {
        var result = _cli.Run("--log", _cli.PathIn("no/such/dir/log.json"), "exec", "c1", "true");
        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith("hull: warning: cannot open log file ", result.ErrLines[0]);
        Assert.Equal("hull: exec failed: container \"c1\" does not exist", result.ErrLines[1]);
        Assert.Equal(2, result.ErrLines.Length);
    }
}
