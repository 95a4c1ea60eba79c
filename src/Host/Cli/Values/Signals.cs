using System.Globalization;

namespace Hull.Cli.Values;

/// <summary>
/// Signal names and numbers for `kill`, as runc reads them: a number, or a name with or without
/// "SIG" in any case (KILL, sigterm, SIGUSR1). Linux numbering: hull only runs containers on
/// Linux, and on any other platform the backend refuses kill before the number matters.
/// </summary>
internal static class Signals
{
    public const int Term = 15;
    private const int RtMin = 34;
    private const int RtMax = 64;

    private static readonly Dictionary<string, int> Names = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6,
        ["BUS"] = 7, ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12,
        ["PIPE"] = 13, ["ALRM"] = 14, ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CLD"] = 17,
        ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22, ["URG"] = 23,
        ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28, ["IO"] = 29,
        ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31, ["RTMIN"] = RtMin, ["RTMAX"] = RtMax,
    };

    /// <summary>Parses a signal; null when it names none (runc accepts any number, hull only real signals).</summary>
    public static int? Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return number <= RtMax ? number : null;
        var name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
            name = name[3..];
        if (Names.TryGetValue(name, out var signal))
            return signal;
        // RTMIN+n and RTMAX-n, as kill(1) spells the real-time signals.
        if (TryRealTime(name, "RTMIN+", RtMin, +1, out signal) || TryRealTime(name, "RTMAX-", RtMax, -1, out signal))
            return signal;
        return null;
    }

    private static bool TryRealTime(string name, string prefix, int baseSignal, int direction, out int signal)
    {
        signal = 0;
        if (!name.StartsWith(prefix, StringComparison.Ordinal) ||
            !int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            return false;
        signal = baseSignal + direction * offset;
        return signal is >= RtMin and <= RtMax;
    }
}
