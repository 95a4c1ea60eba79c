using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hull.Abstractions.Errors;

namespace Hull.Abstractions.Oci;

/// <summary>
/// Turns a System.Text.Json failure into an error a user can act on:
/// `process.rlimits[1].hard: expected a number, got "x" (in config.json)`. The JSON path comes from
/// the exception; what was expected comes from the model's metadata and what was found from the document.
/// </summary>
internal static class JsonErrors
{
    /// <summary>One step of a JSON path: a property name or an array index.</summary>
    internal readonly record struct Segment(string? Name, int Index);

    public static ConfigException Explain(JsonException e, string source, JsonElement root, JsonTypeInfo type)
    {
        var path = Parse(e.Path);
        JsonElement? found = root;
        JsonTypeInfo? target = type;
        foreach (var segment in path ?? [])
        {
            found = found is { } element ? Child(element, segment) : null;
            target = target is null ? null : ChildType(target, segment);
        }
        if (path is null || found is null || target is null)
            return new ConfigException($"{OciJson.Reason(e)} (in {source})", path is null ? null : Display(path));
        return Mismatch(source, path, target, found.Value);
    }

    public static ConfigException Mismatch(string source, IReadOnlyList<Segment> path, JsonTypeInfo target, JsonElement found)
    {
        var what = $"expected {Expected(target, found)}, got {Describe(found)}";
        return path.Count == 0
            ? new ConfigException($"{source}: {what}")
            : new ConfigException($"{what} (in {source})", Display(path));
    }

    /// <summary>Parses System.Text.Json's path syntax: $.a.b[1]['c.d'].</summary>
    internal static List<Segment>? Parse(string? path)
    {
        if (path is null || !path.StartsWith('$')) return null;
        var segments = new List<Segment>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                segments.Add(new Segment(path[(i + 1)..end], -1));
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) return null;
                segments.Add(new Segment(path[(i + 2)..end], -1));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out var index)) return null;
                segments.Add(new Segment(null, index));
                i = end + 1;
            }
            else return null;
        }
        return segments;
    }

    /// <summary>The path as a user writes it (jq style): process.rlimits[1].hard, linux.sysctl["net.ipv4.ip_forward"].</summary>
    internal static string Display(IReadOnlyList<Segment> path)
    {
        var text = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment.Name is null) text.Append('[').Append(segment.Index).Append(']');
            else if (IsIdentifier(segment.Name)) text.Append(text.Length == 0 ? "" : ".").Append(segment.Name);
            else text.Append('[').Append(JsonSerializer.Serialize(segment.Name, OciJsonContext.Default.String)).Append(']');
        }
        return text.ToString();
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static JsonElement? Child(JsonElement element, Segment segment)
    {
        if (segment.Name is { } name && element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty(name, out var exact)) return exact;
            foreach (var property in element.EnumerateObject())
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
            return null;
        }
        if (segment.Name is null && element.ValueKind == JsonValueKind.Array && segment.Index < element.GetArrayLength())
            return element[segment.Index];
        return null;
    }

    private static JsonTypeInfo? ChildType(JsonTypeInfo type, Segment segment)
    {
        Type? child = type.Kind switch
        {
            JsonTypeInfoKind.Object when segment.Name is { } name => type.Properties
                .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType,
            JsonTypeInfoKind.Enumerable when segment.Name is null => type.ElementType,
            JsonTypeInfoKind.Dictionary when segment.Name is not null => type.ElementType,
            _ => null,
        };
        return child is null ? null : type.Options.GetTypeInfo(child);
    }

    private static readonly Dictionary<Type, (string Min, string Max)> IntegerRanges = new()
    {
        [typeof(byte)] = (byte.MinValue.ToString(), byte.MaxValue.ToString()),
        [typeof(sbyte)] = (sbyte.MinValue.ToString(), sbyte.MaxValue.ToString()),
        [typeof(short)] = (short.MinValue.ToString(), short.MaxValue.ToString()),
        [typeof(ushort)] = (ushort.MinValue.ToString(), ushort.MaxValue.ToString()),
        [typeof(int)] = (int.MinValue.ToString(), int.MaxValue.ToString()),
        [typeof(uint)] = (uint.MinValue.ToString(), uint.MaxValue.ToString()),
        [typeof(long)] = (long.MinValue.ToString(), long.MaxValue.ToString()),
        [typeof(ulong)] = (ulong.MinValue.ToString(), ulong.MaxValue.ToString()),
    };

    private static string Expected(JsonTypeInfo target, JsonElement found)
    {
        var type = Nullable.GetUnderlyingType(target.Type) ?? target.Type;
        if (IntegerRanges.TryGetValue(type, out var range))
            return found.ValueKind == JsonValueKind.Number ? $"an integer from {range.Min} to {range.Max}" : "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number";
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return "an RFC 3339 time";
        return target.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object",
            _ => type.Name,
        };
    }

    private static string Describe(JsonElement found)
    {
        const int Longest = 40;
        return found.ValueKind switch
        {
            JsonValueKind.String => JsonSerializer.Serialize(
                found.GetString() is { Length: > Longest } s ? s[..Longest] + "..." : found.GetString(),
                OciJsonContext.Default.String),
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => found.GetRawText(),
        };
    }
}
