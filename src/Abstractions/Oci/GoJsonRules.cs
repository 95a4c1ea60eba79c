using System.Collections;
using System.Text.Json.Serialization.Metadata;

namespace Hull.Abstractions.Oci;

/// <summary>
/// Makes System.Text.Json write what Go's encoding/json writes for the same Go structs, so that
/// Hull's output is runc's byte for byte:
/// - `omitempty`: a nullable property is left out when it is null, "" or an empty list or map;
/// - maps are written with their keys sorted, as encoding/json does.
/// </summary>
internal static class GoJsonRules
{
    // Sorting a map needs its value type at compile time (no MakeGenericType under AOT), so every
    // map type of the model is listed here; a unit test checks that none is missing.
    private static readonly Dictionary<Type, Func<object, object>> Sorters = new()
    {
        [typeof(IReadOnlyDictionary<string, string>)] = Sorted<string>,
        [typeof(IReadOnlyDictionary<string, LinuxTimeOffset>)] = Sorted<LinuxTimeOffset>,
        [typeof(IReadOnlyDictionary<string, LinuxNetDevice>)] = Sorted<LinuxNetDevice>,
        [typeof(IReadOnlyDictionary<string, LinuxRdma>)] = Sorted<LinuxRdma>,
        [typeof(IReadOnlyDictionary<string, ulong>)] = Sorted<ulong>,
        [typeof(IReadOnlyDictionary<string, Events.HugetlbStats>)] = Sorted<Events.HugetlbStats>,
    };

    /// <summary>Whether maps of this declared type are written sorted.</summary>
    internal static bool SortsMap(Type type) => Sorters.ContainsKey(type);

    public static void Apply(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in type.Properties)
        {
            if (property.IsGetNullable)
                property.ShouldSerialize = static (_, value) => !IsEmpty(value);
            if (property.Get is { } get && Sorters.TryGetValue(property.PropertyType, out var sort))
                property.Get = owner => get(owner) is { } map ? sort(map) : null;
        }
    }

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        ICollection c => c.Count == 0,
        IEnumerable e => !e.GetEnumerator().MoveNext(),
        _ => false,
    };

    private static object Sorted<T>(object map)
    {
        var sorted = new SortedDictionary<string, T>(StringComparer.Ordinal);
        foreach (var (key, value) in (IReadOnlyDictionary<string, T>)map) sorted[key] = value;
        return sorted;
    }
}
