using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hull.Abstractions.Oci;

/// <summary>
/// A time as Go's time.Time writes it in JSON (RFC 3339 with up to nine fraction digits, trailing
/// zeros dropped, "Z" for UTC), e.g. "2024-05-01T07:28:51.411436593Z": the `created` of `state`.
/// </summary>
internal sealed class GoTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // .NET keeps 7 fraction digits (100 ns); Go writes up to 9, so the extra ones are cut first.
        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } text
            && DateTimeOffset.TryParseExact(TrimFraction(text), "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return time;
        throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    internal static string Format(DateTimeOffset value)
    {
        var text = value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
        return text + (value.Offset == TimeSpan.Zero ? "Z" : value.ToString("zzz", CultureInfo.InvariantCulture));
    }

    private static string TrimFraction(string text)
    {
        var dot = text.IndexOf('.');
        if (dot < 0) return text;
        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return end - dot - 1 > 7 ? text[..(dot + 8)] + text[end..] : text;
    }
}
