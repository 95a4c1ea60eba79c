using Hull.Abstractions.Events;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>Parsers shared by the v1 and v2 stats readers.</summary>
internal static class StatsReaders
{
    /// <summary>A cpuset list like "0-3,8,10-11" as the numbers it names; null when empty.</summary>
    public static IReadOnlyList<ushort>? CpuList(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var list = new List<ushort>();
        foreach (var part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-', 2);
            if (!ushort.TryParse(range[0], out var first)) continue;
            var last = range.Length == 2 && ushort.TryParse(range[1], out var l) ? l : first;
            for (var n = first; n <= last; n++)
            {
                list.Add(n);
                if (n == ushort.MaxValue) break;
            }
        }
        return list.Count == 0 ? null : list;
    }

    /// <summary>memory.stat (or any flat keyed file) as a map sorted like Go writes maps; null when empty.</summary>
    public static IReadOnlyDictionary<string, ulong>? Raw(ICgroupFs fs, string path)
    {
        var raw = new SortedDictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var (k, v) in fs.ReadKeyValues(path)) raw[k] = v;
        return raw.Count == 0 ? null : raw;
    }

    /// <summary>The page sizes ("2MB", "1GB") that have hugetlb files in a cgroup directory, e.g. hugetlb.2MB.max.</summary>
    public static IEnumerable<string> HugePageSizes(ICgroupFs fs, string dir, string suffix) =>
        fs.FileNames(dir)
            .Where(n => n.StartsWith("hugetlb.", StringComparison.Ordinal) && n.EndsWith(suffix, StringComparison.Ordinal))
            .Select(n => n["hugetlb.".Length..^suffix.Length])
            .Where(size => !size.Contains('.'))
            .Order(StringComparer.Ordinal);

    /// <summary>hugetlb in the unified hierarchy: usage from .current, failures from the "max" event.</summary>
    public static IReadOnlyDictionary<string, HugetlbStats> V2Hugetlb(ICgroupFs fs, string dir)
    {
        var map = new SortedDictionary<string, HugetlbStats>(StringComparer.Ordinal);
        foreach (var size in HugePageSizes(fs, dir, ".current"))
            map[size] = new HugetlbStats
            {
                Usage = fs.ReadUInt64(Path.Combine(dir, $"hugetlb.{size}.current")),
                Failcnt = fs.ReadKeyValues(Path.Combine(dir, $"hugetlb.{size}.events")).FirstOrDefault(kv => kv.Key == "max").Value,
            };
        return map;
    }
}
