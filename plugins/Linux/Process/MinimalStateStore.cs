using System.Text.Json;
using System.Text.Json.Serialization;
using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// TEMPORARY, until the State part of this plugin lands: one directory per container under the
/// root and state.json written atomically. No lock: concurrent commands on one container race.
/// </summary>
internal sealed class MinimalStateStore(string root) : IContainerStore
{
    public IContainerEntry Create(string id)
    {
        var dir = Path.Combine(root, id);
        try { Directory.CreateDirectory(root); }
        catch (IOException e) { throw new HullException($"creating {root}: {e.Message}"); }
        if (Directory.Exists(dir)) throw new ContainerExistsException(id);
        Directory.CreateDirectory(dir);
        Interop.Libc.Check(Interop.Libc.chmod(dir, 0b111_000_000), $"chmod {dir}");
        return new Entry(id, dir, null);
    }

    public IContainerEntry Open(string id)
    {
        var dir = Path.Combine(root, id);
        var file = Path.Combine(dir, "state.json");
        if (!File.Exists(file)) throw new ContainerNotFoundException(id);
        var record = JsonSerializer.Deserialize(File.ReadAllBytes(file), StoreJson.Default.ContainerRecord);
        return new Entry(id, dir, record);
    }

    public IReadOnlyList<string> Ids() =>
        Directory.Exists(root)
            ? [.. Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "state.json"))).Select(Path.GetFileName).OfType<string>().Order()]
            : [];

    sealed class Entry(string id, string dir, ContainerRecord? record) : IContainerEntry
    {
        public string Id => id;
        public string Dir => dir;
        public ContainerRecord? Record { get; private set; } = record;

        public void Save(ContainerRecord r)
        {
            var tmp = Path.Combine(dir, "state.json.tmp");
            File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(r, StoreJson.Default.ContainerRecord));
            File.Move(tmp, Path.Combine(dir, "state.json"), overwrite: true);
            Record = r;
        }

        public void Remove() => Directory.Delete(dir, recursive: true);

        public void Dispose() { }
    }
}

[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class StoreJson : JsonSerializerContext;
