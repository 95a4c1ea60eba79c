using Hull.Cli.Output;
using Hull.Cli.Values;
using Xunit;

namespace Hull.Tests.Unit.Cli;

/// <summary>Values as runc's Go libraries read them: durations, memory sizes, booleans, signals; tables as tabwriter lays them out.</summary>
public sealed class ValueParsingTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("0", 0)]
    [InlineData("2h0m1s", 7_201_000)]
    [InlineData("1500us", 1.5)]
    public void GoDurationsParse(string text, double milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("5x")]
    [InlineData("1..2s")]
    public void BadDurationsDoNot(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData(5_000, "5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(500, "500ms")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(1_500, "1.5s")]
    public void DurationsFormatAsGo(double milliseconds, string text) =>
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("512", 512)]
    [InlineData("100m", 100L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("256MiB", 256L << 20)]
    [InlineData("2GB", 2L << 30)]
    [InlineData("4k", 4096)]
    [InlineData("10b", 10)]
    public void MemorySizesParseAsGoUnits(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1x")]
    [InlineData("m")]
    [InlineData("1 gigabyte")]
    public void BadMemorySizesDoNot(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("sigterm", 15)]
    [InlineData("SigKill", 9)]
    [InlineData("IOT", 6)]
    [InlineData("RTMAX", 64)]
    [InlineData("SIGRTMAX-1", 63)]
    [InlineData("64", 64)]
    public void SignalsParse(string text, int signal) => Assert.Equal(signal, Signals.Parse(text));

    [Theory]
    [InlineData("NOPE")]
    [InlineData("RTMIN+40")]
    [InlineData("65")]
    [InlineData("+9")]
    [InlineData("")]
    public void UnknownSignalsDoNot(string text) => Assert.Null(Signals.Parse(text));

    [Theory]
    [InlineData("1", true)]
    [InlineData("T", true)]
    [InlineData("True", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    public void GoBooleansParse(string text, bool expected)
    {
        Assert.True(GoBool.TryParse(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("tRUE")]
    public void OtherBooleansDoNot(string text) => Assert.False(GoBool.TryParse(text, out _));

    [Fact]
    public void TablesPadColumnsAsTabwriter()
    {
        var table = TabTable.Render([["ID", "PID", "LAST"], ["averyveryverylongid", "1", "x"], ["é", "22", "yz"]], minWidth: 12, padding: 3);
        Assert.Equal(
            "ID" + new string(' ', 20) + "PID" + new string(' ', 9) + "LAST\n" +
            "averyveryverylongid" + new string(' ', 3) + "1" + new string(' ', 11) + "x\n" +
            "é" + new string(' ', 21) + "22" + new string(' ', 10) + "yz\n", table);
    }

    [Theory]
    [InlineData("2026-11-30T07:31:58.7272325Z")]
    [InlineData("2026-11-30T07:31:58Z")]
    [InlineData("2026-11-30T07:31:58.5-05:30")]
    public void TimesRoundTripAsRfc3339Nano(string text) =>
        Assert.Equal(text, GoTime.FormatRfc3339Nano(DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture)));
}
