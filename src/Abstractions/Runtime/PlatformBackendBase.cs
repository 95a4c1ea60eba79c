using Hull.Abstractions.Errors;
using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;

namespace Hull.Abstractions.Runtime;

/// <summary>
/// A backend that refuses every operation until a subclass overrides it, so a plugin can provide
/// some commands and the rest fail at once with a clear message instead of half-working.
/// </summary>
public abstract class PlatformBackendBase : IPlatformBackend
{
    /// <summary>The backend's name as users see it in errors ("linux", "unsupported", ...).</summary>
    protected abstract string BackendName { get; }

    /// <summary>The error for an operation this backend does not provide; override to explain why.</summary>
    protected virtual HullException NotProvided(string command) =>
        new CommandNotProvidedException(command, BackendName);

    public virtual void Create(CreateRequest request) => throw NotProvided("create");
    public virtual void Start(string id) => throw NotProvided("start");
    public virtual int Run(RunRequest request) => throw NotProvided("run");
    public virtual ContainerState State(string id) => throw NotProvided("state");
    public virtual IReadOnlyList<ContainerState> List() => throw NotProvided("list");
    public virtual void Kill(KillRequest request) => throw NotProvided("kill");
    public virtual void Delete(DeleteRequest request) => throw NotProvided("delete");
    public virtual int Exec(ExecRequest request) => throw NotProvided("exec");
    public virtual IReadOnlyList<int> Pids(string id) => throw NotProvided("ps");
    public virtual string ProcessTable(PsRequest request) => throw NotProvided("ps");
    public virtual void Pause(string id) => throw NotProvided("pause");
    public virtual void Resume(string id) => throw NotProvided("resume");
    public virtual IEnumerable<ContainerEvent> Events(EventsRequest request, CancellationToken cancellation) => throw NotProvided("events");
    public virtual void Update(UpdateRequest request) => throw NotProvided("update");
    public virtual void Checkpoint(CheckpointRequest request) => throw NotProvided("checkpoint");
    public virtual int Restore(RestoreRequest request) => throw NotProvided("restore");

    /// <summary>An honest, empty feature set unless the backend says more.</summary>
    public virtual Features Features() => Oci.Features.Empty;
}
