using System.Text.Json;
using Hull.Abstractions.Oci;
using Xunit;

namespace Hull.Tests.Unit.Oci;

public sealed class GoJsonEncoderTests
{
    // Each expected literal is what Go 1.19's encoding/json (runc's) writes for the string.
    [Theory]
    [InlineData("plain /path", "\"plain /path\"")]
    [InlineData("quote\" back\\slash", "\"quote\\\" back\\\\slash\"")]
    [InlineData("nl\n cr\r tab\t", "\"nl\\n cr\\r tab\\t\"")]
    [InlineData("bell\u0007 bs\b ff\f nul\0 us\u001f", "\"bell\\u0007 bs\\u0008 ff\\u000c nul\\u0000 us\\u001f\"")]
    [InlineData("<tag> & more", "\"\\u003ctag\\u003e \\u0026 more\"")]
    [InlineData("ünïcödé 😀 \u007f", "\"ünïcödé 😀 \u007f\"")]
    [InlineData("line\u2028para\u2029", "\"line\\u2028para\\u2029\"")]
    public void StringsAreWrittenAsGoWritesThem(string value, string expected)
    {
        Assert.Equal(expected, Written(value));
        Assert.Equal(value, JsonDocument.Parse(expected).RootElement.GetString());
    }

    [Fact]
    public void ALoneSurrogateIsNotTextAndIsWrittenAsTheReplacementCharacterEscaped()
    {
        // As Go writes invalid UTF-8. (Built here: an attribute's string cannot hold a lone surrogate.)
        var value = "lone " + (char)0xD800 + " surrogate";
        Assert.Equal("\"lone \\ufffd surrogate\"", Written(value));
        // The log lines' path (LogLine): Encode, not the writer.
        Assert.Equal("a \\\"b\\\"\\n\\u003cc\\u003e \\ufffd é", GoJsonEncoder.Instance.Encode("a \"b\"\n<c> " + (char)0xDC00 + " é"));
    }

    static string Written(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = GoJsonEncoder.Instance }))
            w.WriteStringValue(value);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void TheStateOfAContainerEscapesItsAnnotationsAsRuncDoes()
    {
        var state = new ContainerState
        {
            OciVersion = "1.0.2-dev", Id = "c1", Pid = 1, Status = "running", Bundle = "/b", Rootfs = "/b/rootfs",
            Annotations = new Dictionary<string, string> { ["a<b>"] = "x & y" }, Owner = "",
        };
        Assert.Contains("\"a\\u003cb\\u003e\": \"x \\u0026 y\"", OciJson.SerializeState(state));
        Assert.Equal(OciJson.SerializeStateBySerializer(state), OciJson.SerializeState(state));
    }
}
