using System.Text.Json;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.State;

/// <summary>
/// state.json read and written by hand (Utf8JsonWriter, JsonDocument). Every hull command on a
/// container reads or writes it, and the serializer's first use in a process builds the record's
/// metadata by reflection, a good part of a short `state`. The members and their form are the
/// ones the source-generated serializer wrote (camelCase names, the status by name, the time in
/// ISO 8601), so that state directories made by either are read by both.
/// </summary>
internal static class ContainerRecordJson
{
    public static byte[] Write(ContainerRecord record) => OciJson.WriteObject(w =>
    {
        w.WriteString("id", record.Id);
        w.WriteString("ociVersion", record.OciVersion);
        w.WriteString("bundle", record.Bundle);
        w.WriteString("rootfs", record.Rootfs);
        w.WriteString("created", record.Created);
        WriteMap(w, "annotations", record.Annotations);
        w.WriteString("status", NameOf(record.Status));
        w.WriteNumber("initPid", record.InitPid);
        w.WriteNumber("initStartTime", record.InitStartTime);
        w.WriteString("execFifoPath", record.ExecFifoPath);
        WriteMap(w, "cgroupPaths", record.CgroupPaths);
        WriteMap(w, "namespacePaths", record.NamespacePaths);
        w.WriteBoolean("noNewKeyring", record.NoNewKeyring);
        w.WriteBoolean("rootlessEuid", record.RootlessEuid);
        w.WriteBoolean("rootlessCgroups", record.RootlessCgroups);
        w.WriteBoolean("rootless", record.Rootless);
    }, capacity: 1024);

    static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        foreach (var (key, value) in map) w.WriteString(key, value);
        w.WriteEndObject();
    }

    /// <summary>The record; a JsonException when the text is not one (unknown members are ignored,
    /// missing ones keep their defaults, as with the serializer).</summary>
    public static ContainerRecord Read(byte[] json)
    {
        try
        {
            return ReadDocument(json);
        }
        // A member of the wrong kind or range, as JsonElement's getters report it.
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new JsonException(e.Message, e);
        }
    }

    static ContainerRecord ReadDocument(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
        string? id = null, bundle = null, rootfs = null;
        var record = new ContainerRecord { Id = "", Bundle = "", Rootfs = "" };
        foreach (var p in root.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "id": id = Text(v); break;
                case "ociVersion": record = record with { OciVersion = Text(v) ?? "" }; break;
                case "bundle": bundle = Text(v); break;
                case "rootfs": rootfs = Text(v); break;
                case "created": record = record with { Created = v.GetDateTimeOffset() }; break;
                case "annotations": record = record with { Annotations = Map(v) }; break;
                case "status": record = record with { Status = StatusNamed(Text(v)) }; break;
                case "initPid": record = record with { InitPid = v.GetInt32() }; break;
                case "initStartTime": record = record with { InitStartTime = v.GetUInt64() }; break;
                case "execFifoPath": record = record with { ExecFifoPath = Text(v) }; break;
                case "cgroupPaths": record = record with { CgroupPaths = Map(v) ?? new Dictionary<string, string>() }; break;
                case "namespacePaths": record = record with { NamespacePaths = Map(v) ?? new Dictionary<string, string>() }; break;
                case "noNewKeyring": record = record with { NoNewKeyring = v.GetBoolean() }; break;
                case "rootlessEuid": record = record with { RootlessEuid = v.GetBoolean() }; break;
                case "rootlessCgroups": record = record with { RootlessCgroups = v.GetBoolean() }; break;
            }
        }
        return record with
        {
            Id = id ?? throw new JsonException("no id"),
            Bundle = bundle ?? throw new JsonException("no bundle"),
            Rootfs = rootfs ?? throw new JsonException("no rootfs"),
        };
    }

    static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Null => null,
        _ => throw new JsonException($"{v.ValueKind} where a string belongs"),
    };

    static Dictionary<string, string>? Map(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Object) throw new JsonException($"{v.ValueKind} where an object belongs");
        var map = new Dictionary<string, string>();
        foreach (var p in v.EnumerateObject()) map[p.Name] = Text(p.Value) ?? throw new JsonException($"null for {p.Name}");
        return map;
    }

    // By hand: Enum.ToString and Enum.Parse would set up reflection in a NativeAOT process.
    static string NameOf(Status status) => status switch
    {
        Status.Creating => nameof(Status.Creating),
        Status.Created => nameof(Status.Created),
        Status.Running => nameof(Status.Running),
        Status.Pausing => nameof(Status.Pausing),
        Status.Paused => nameof(Status.Paused),
        _ => nameof(Status.Stopped),
    };

    static Status StatusNamed(string? name) => name switch
    {
        nameof(Status.Creating) => Status.Creating,
        nameof(Status.Created) => Status.Created,
        nameof(Status.Running) => Status.Running,
        nameof(Status.Pausing) => Status.Pausing,
        nameof(Status.Paused) => Status.Paused,
        nameof(Status.Stopped) => Status.Stopped,
        _ => throw new JsonException($"unknown status {name}"),
    };
}
