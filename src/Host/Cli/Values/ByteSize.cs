using System.Globalization;

namespace Hull.Cli.Values;

/// <summary>
/// Memory sizes as runc's `update` takes them (docker/go-units RAMInBytes): a number with an
/// optional binary unit, "512", "100m", "1.5g", "256MiB", "2GB" (units are powers of 1024).
/// </summary>
internal static class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.AsSpan().Trim();
        var numberLength = 0;
        while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
            numberLength++;
        if (numberLength == 0 || !char.IsAsciiDigit(s[0]) ||
            !double.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return false;
        var unit = s[numberLength..].TrimStart(' ');
        double multiplier = 1;
        if (!unit.IsEmpty)
        {
            var power = char.ToLowerInvariant(unit[0]) switch { 'k' => 1, 'm' => 2, 'g' => 3, 't' => 4, 'p' => 5, _ => 0 };
            if (power > 0)
            {
                multiplier = Math.Pow(1024, power);
                unit = unit[1..];
            }
            if (!unit.IsEmpty && (unit[0] == 'i' || unit[0] == 'I'))
                unit = unit[1..];
            if (!unit.IsEmpty && (unit[0] == 'b' || unit[0] == 'B'))
                unit = unit[1..];
            if (!unit.IsEmpty)
                return false;
        }
        var value = number * multiplier;
        if (value > long.MaxValue)
            return false;
        bytes = (long)value;
        return true;
    }
}
