using System.Globalization;
using System.Text;

namespace Hull.Cli.Values;

/// <summary>
/// Durations written the way runc's flags take them (Go's time.ParseDuration: "5s", "1m30s",
/// "250ms", "1.5h"), so `events --interval` accepts the same values as runc.
/// </summary>
internal static class GoDuration
{
    private const double NanosPerTick = 100;

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.SequenceEqual("0"))
            return true;
        if (s.IsEmpty)
            return false;

        double totalNanos = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
                numberLength++;
            var unitLength = 0;
            while (numberLength + unitLength < s.Length && !char.IsAsciiDigit(s[numberLength + unitLength]) && s[numberLength + unitLength] != '.')
                unitLength++;
            if (numberLength == 0 || unitLength == 0)
                return false;
            if (!double.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return false;
            var unit = UnitNanos(s.Slice(numberLength, unitLength));
            if (unit == 0)
                return false;
            totalNanos += number * unit;
            s = s[(numberLength + unitLength)..];
        }
        var ticks = totalNanos / NanosPerTick;
        if (ticks > TimeSpan.MaxValue.Ticks)
            return false;
        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }

    private static double UnitNanos(ReadOnlySpan<char> unit) => unit switch
    {
        "ns" => 1,
        "us" or "µs" or "μs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        _ => 0,
    };

    /// <summary>Go's Duration.String for the values help shows ("5s", "1m30s", "500ms").</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
            return "0s";
        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Negate();
        }
        if (value < TimeSpan.FromSeconds(1))
        {
            var nanos = value.Ticks * (long)NanosPerTick;
            return sb.Append(nanos >= 1_000_000 ? Trim(nanos / 1e6) + "ms" : nanos >= 1000 ? Trim(nanos / 1e3) + "µs" : nanos + "ns").ToString();
        }
        var hours = (long)value.TotalHours;
        if (hours > 0)
            sb.Append(hours).Append('h');
        if (hours > 0 || value.Minutes > 0)
            sb.Append(value.Minutes).Append('m');
        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond;
        return sb.Append(Trim(seconds)).Append('s').ToString();
    }

    private static string Trim(double number) => number.ToString("0.#########", CultureInfo.InvariantCulture);
}
