using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Events;

namespace Hull.Abstractions.Oci;

/// <summary>
/// Reading and writing the OCI documents (source-generated System.Text.Json, AOT-safe).
/// Every Serialize method returns exactly the text runc writes, trailing newline included or not.
/// </summary>
public static class OciJson
{
    /// <summary>
    /// Reads a bundle's config.json; <paramref name="path"/> is the bundle directory, or the file
    /// itself when it ends in ".json". A missing or malformed file is a ConfigException that says
    /// what is wrong and where.
    /// </summary>
    public static Spec LoadConfig(string path)
    {
        var file = path.EndsWith(".json", StringComparison.Ordinal) ? path : Path.Combine(path, "config.json");
        string json;
        try
        {
            json = File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            var bundle = Path.GetDirectoryName(Path.GetFullPath(file));
            throw new ConfigException(Directory.Exists(bundle)
                ? $"{Path.GetFileName(file)} not found in bundle {bundle}: run `hull spec` to create one"
                : $"bundle {bundle} does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read {file}: {e.Message}");
        }
        return ParseConfig(json, file);
    }

    public static Spec ParseConfig(string json, string source = "config.json") =>
        ParseConfig(System.Text.Encoding.UTF8.GetBytes(json), source);

    /// <summary>config.json from its UTF-8 bytes as read or received, parsed where they are: the string
    /// overload's transcoding buffer comes from the shared array pool, whose first use past its
    /// per-thread slots calibrates the CPU-number lookup (~0.1 ms of the init's start).</summary>
    public static Spec ParseConfig(ReadOnlyMemory<byte> utf8Json, string source = "config.json") =>
        Parse(utf8Json, source, static () => Read.Spec, SpecReader.TrySpec);

    /// <summary>
    /// Whether the document's top-level object has a member <paramref name="name"/>, matched as
    /// <see cref="ParseConfig(string, string)"/> matches names (exactly or ignoring case). A plain scan that sets up
    /// no serializer: it tells whether a full parse is needed at all. Malformed JSON says yes, so
    /// that the full parse reports it.
    /// </summary>
    public static bool HasTopLevelMember(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (string.Equals(reader.GetString(), name, StringComparison.OrdinalIgnoreCase)) return true;
                reader.Read();
                reader.Skip();
            }
            return false;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>A process.json for exec -p.</summary>
    public static Process ParseProcess(string json, string source = "process.json") =>
        Parse(System.Text.Encoding.UTF8.GetBytes(json), source, static () => Read.Process, SpecReader.TryProcess);

    /// <summary>A LinuxResources document for update -r.</summary>
    public static LinuxResources ParseResources(string json, string source = "resources") =>
        Parse(System.Text.Encoding.UTF8.GetBytes(json), source, static () => Read.Resources, SpecReader.TryResources);

    /// <summary>config.json as `runc spec` writes it: tab-indented, no trailing newline.</summary>
    public static string SerializeSpec(Spec spec) => JsonSerializer.Serialize(spec, SpecFormat.Spec);

    /// <summary>`state` output: two-space indent, no trailing newline.</summary>
    public static string SerializeState(ContainerState state) => WriteStates([state], array: false);

    /// <summary>`list --format json` output: one compact line; no containers is `null`, as in runc.</summary>
    public static string SerializeStates(IReadOnlyList<ContainerState> states) =>
        (states.Count == 0 ? "null" : WriteStates(states, array: true)) + "\n";

    /// <summary>
    /// The state JSON written by hand, with the writer the serializer would use (same escaping and
    /// indentation), because `state` and `list` are whole commands and the serializer's first use
    /// costs more than the rest of them. Go's order and omitempty: annotations only when there are
    /// some, keys sorted; owner always.
    /// </summary>
    private static string WriteStates(IEnumerable<ContainerState> states, bool array)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = !array,
            IndentCharacter = ' ',
            IndentSize = 2,
            NewLine = "\n",
            Encoder = GoJsonEncoder.Instance,
        }))
        {
            if (array) w.WriteStartArray();
            foreach (var state in states)
            {
                w.WriteStartObject();
                w.WriteString("ociVersion", state.OciVersion);
                w.WriteString("id", state.Id);
                w.WriteNumber("pid", state.Pid);
                w.WriteString("status", state.Status);
                w.WriteString("bundle", state.Bundle);
                w.WriteString("rootfs", state.Rootfs);
                w.WriteString("created", GoTimeConverter.Format(state.Created));
                if (state.Annotations is { Count: > 0 } annotations)
                {
                    w.WriteStartObject("annotations");
                    foreach (var key in annotations.Keys.Order(StringComparer.Ordinal)) w.WriteString(key, annotations[key]);
                    w.WriteEndObject();
                }
                w.WriteString("owner", state.Owner);
                w.WriteEndObject();
            }
            if (array) w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// One compact JSON object written by hand, with Go's escaping: what hull writes for itself
    /// (state.json, the init's messages), without the serializer's start-up.
    /// </summary>
    public static byte[] WriteObject(Action<Utf8JsonWriter> members, int capacity = 256)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(capacity);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = GoJsonEncoder.Instance }))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The state written by the serializer, for tests that hold <see cref="WriteStates"/> to it.</summary>
    internal static string SerializeStateBySerializer(ContainerState state) => JsonSerializer.Serialize(state, StateFormat.State);

    /// <summary>`features` output: four-space indent and a trailing newline.</summary>
    public static string SerializeFeatures(Features features) =>
        JsonSerializer.Serialize(features, FeaturesFormat.Features) + "\n";

    /// <summary>One `events` line: compact JSON and a newline.</summary>
    public static string SerializeEvent(ContainerEvent e) => JsonSerializer.Serialize(e, LineFormat.Event) + "\n";

    /// <summary>The runtime-spec state a hook reads on stdin: one compact line, no newline (as runc).</summary>
    public static byte[] SerializeRuntimeState(RuntimeState state) => JsonSerializer.SerializeToUtf8Bytes(state, LineFormat.RuntimeState);

    /// <summary>config.json read by the serializer alone, for tests that hold <see cref="SpecReader"/> to it.</summary>
    internal static Spec ParseConfigBySerializer(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json), "config.json", static () => Read.Spec, fast: null);

    /// <summary>Parses <paramref name="utf8Json"/>; errors name <paramref name="source"/>. The hand reader
    /// <paramref name="fast"/> is tried first (see <see cref="SpecReader"/>); the serializer reads
    /// what it gives up on, its metadata built by <paramref name="serializer"/> only then (that is the cost avoided).</summary>
    private static T Parse<T>(ReadOnlyMemory<byte> utf8Json, string source, Func<JsonTypeInfo<T>> serializer, Func<JsonElement, T?>? fast) where T : class
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException e)
        {
            throw new ConfigException(
                $"{source}: invalid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {Reason(e)}");
        }
        using (document)
        {
            if (fast?.Invoke(document.RootElement) is { } read) return read;
            var type = serializer();
            try
            {
                return document.RootElement.Deserialize(type)
                    ?? throw JsonErrors.Mismatch(source, [], type, document.RootElement);
            }
            catch (JsonException e)
            {
                throw JsonErrors.Explain(e, source, document.RootElement, type);
            }
        }
    }

    /// <summary>System.Text.Json's message without the position it appends (we report our own).</summary>
    internal static string Reason(JsonException e)
    {
        var message = e.Message;
        foreach (var marker in new[] { " Path: ", " LineNumber: " })
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0) message = message[..at];
        }
        return message.TrimEnd().TrimEnd('.');
    }

    // One options instance per output format, each built on first use only, so a command pays only
    // for the format it prints (start-up time matters: `list` is benchmarked against runc).
    private static JsonSerializerOptions Options(Action<JsonSerializerOptions>? format = null)
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = OciJsonContext.Default.WithAddedModifier(GoJsonRules.Apply),
            // encoding/json matches field names case-insensitively when exact ones are missing.
            PropertyNameCaseInsensitive = true,
            // Strings escaped as Go's encoding/json escapes them (non-ASCII as is, <, > and & as \u003c...).
            Encoder = GoJsonEncoder.Instance,
            NewLine = "\n",
        };
        format?.Invoke(options);
        return options;
    }

    private static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    private static Action<JsonSerializerOptions> Indent(char character, int size) => o =>
    {
        o.WriteIndented = true;
        o.IndentCharacter = character;
        o.IndentSize = size;
    };

    private static class Read
    {
        private static readonly JsonSerializerOptions Options = OciJson.Options();
        public static readonly JsonTypeInfo<Spec> Spec = Info<Spec>(Options);
        public static readonly JsonTypeInfo<Process> Process = Info<Process>(Options);
        public static readonly JsonTypeInfo<LinuxResources> Resources = Info<LinuxResources>(Options);
    }

    private static class SpecFormat
    {
        public static readonly JsonTypeInfo<Spec> Spec = Info<Spec>(Options(Indent('\t', 1)));
    }

    private static class StateFormat
    {
        public static readonly JsonTypeInfo<ContainerState> State = Info<ContainerState>(Options(Indent(' ', 2)));
    }

    private static class FeaturesFormat
    {
        public static readonly JsonTypeInfo<Features> Features = Info<Features>(Options(Indent(' ', 4)));
    }

    private static class LineFormat
    {
        private static readonly JsonSerializerOptions Options = OciJson.Options();
        public static readonly JsonTypeInfo<ContainerEvent> Event = Info<ContainerEvent>(Options);
        public static readonly JsonTypeInfo<RuntimeState> RuntimeState = Info<RuntimeState>(Options);
    }
}

[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(IReadOnlyList<ContainerState>))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(ContainerEvent))]
[JsonSerializable(typeof(RuntimeState))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
