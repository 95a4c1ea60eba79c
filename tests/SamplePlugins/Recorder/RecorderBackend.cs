using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;

namespace Hull.Sample.Recorder;

/// <summary>
/// Records create/start/kill/delete/run and answers state and list from its record. Everything it
/// does not override is refused by PlatformBackendBase with a clear "not provided" error.
/// </summary>
internal sealed class RecorderBackend(string file) : PlatformBackendBase
{
    protected override string BackendName => "recorder";

    void Record(string line) => File.AppendAllText(file, line + "\n");

    IEnumerable<string[]> Records() =>
        File.Exists(file) ? File.ReadAllLines(file).Select(l => l.Split(' ')) : [];

    public override void Create(CreateRequest request) => Record($"create {request.Id} {request.Bundle}");

    public override void Start(string id)
    {
        _ = State(id);
        Record($"start {id}");
    }

    public override int Run(RunRequest request)
    {
        Record($"run {request.Id} {request.Bundle}");
        return 0;
    }

    public override void Kill(KillRequest request) => Record($"kill {request.Id} {request.Signal}");

    public override void Delete(DeleteRequest request)
    {
        _ = State(request.Id);
        Record($"delete {request.Id}");
    }

    public override ContainerState State(string id) =>
        List().FirstOrDefault(s => s.Id == id) ?? throw new ContainerNotFoundException(id);

    /// <summary>Containers created or run and not deleted since; started ones are "running".</summary>
    public override IReadOnlyList<ContainerState> List()
    {
        var live = new Dictionary<string, ContainerState>();
        foreach (var r in Records())
        {
            switch (r)
            {
                case ["create" or "run", var id, var bundle]:
                    live[id] = new ContainerState
                    {
                        OciVersion = "1.0.2", Id = id, Bundle = bundle, Rootfs = Path.Combine(bundle, "rootfs"),
                        Status = r[0] == "run" ? ContainerStatus.Running : ContainerStatus.Created,
                    };
                    break;
                case ["start", var id] when live.TryGetValue(id, out var s):
                    live[id] = s with { Status = ContainerStatus.Running };
                    break;
                case ["delete", var id]:
                    live.Remove(id);
                    break;
            }
        }
        return [.. live.Values];
    }
}
