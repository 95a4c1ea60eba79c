using System.Text.Encodings.Web;

namespace Hull.Abstractions.Oci;

/// <summary>
/// Escapes JSON strings as Go's encoding/json does (and so runc's output; Go 1.19, Debian's runc):
/// '"' and '\' by a backslash; \n, \r and \t by their short forms; every other control character,
/// '&lt;', '&gt;', '&amp;', U+2028 and U+2029 as \u00XX (lower-case hex); everything else, non-ASCII
/// included, as is. (Go 1.22 also writes \b and \f short: the same JSON value.)
/// Also cheap to make: the built-in encoders' first use builds a table of every allowed code point
/// (~0.1 ms, a good part of a short command such as `state`).
/// </summary>
public sealed class GoJsonEncoder : JavaScriptEncoder
{
    public static GoJsonEncoder Instance { get; } = new();

    GoJsonEncoder() { }

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar switch
    {
        < 0x20 or '"' or '\\' or '<' or '>' or '&' or 0x2028 or 0x2029 => true,
        // Lone surrogates are not text: the replacement character, as Go writes invalid UTF-8.
        >= 0xD800 and <= 0xDFFF => true,
        _ => false,
    };

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < textLength && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (WillEncode(c)) return i;
        }
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        ReadOnlySpan<char> escaped = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            // Only an invalid sequence reaches here as U+FFFD (a real one is never encoded): Go's escape for it.
            >= 0xD800 and <= 0xDFFF or 0xFFFD => "\\ufffd",
            _ when WillEncode(unicodeScalar) => Hex(unicodeScalar, stackalloc char[6]),
            _ => char.ConvertFromUtf32(unicodeScalar),
        };
        if (escaped.Length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }
        escaped.CopyTo(new Span<char>(buffer, bufferLength));
        numberOfCharactersWritten = escaped.Length;
        return true;
    }

    static Span<char> Hex(int scalar, Span<char> into)
    {
        const string Digits = "0123456789abcdef";
        into[0] = '\\';
        into[1] = 'u';
        for (var i = 0; i < 4; i++) into[2 + i] = Digits[(scalar >> (12 - 4 * i)) & 0xF];
        return into;
    }
}
