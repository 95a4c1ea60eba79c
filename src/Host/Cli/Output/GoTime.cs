using System.Globalization;

namespace Hull.Cli.Output;

/// <summary>Timestamps as Go's time.RFC3339Nano prints them ("2026-11-30T07:31:58.727232526Z"), which runc's list and logs use.</summary>
internal static class GoTime
{
    public static string FormatRfc3339Nano(DateTimeOffset time)
    {
        var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var fraction = time.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
            text += "." + fraction.ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
        if (time.Offset == TimeSpan.Zero)
            return text + "Z";
        var offset = time.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return text + string.Create(CultureInfo.InvariantCulture, $"{sign}{offset.Hours:D2}:{offset.Minutes:D2}");
    }
}
