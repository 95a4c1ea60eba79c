using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;

namespace Hull.Abstractions.Runtime;

/// <summary>
/// Every runtime operation. The host parses the command line, calls one of these, and prints what
/// comes back (state and list JSON, tables, events) itself, so output formats stay runc's whatever
/// the backend. Failures are <see cref="Errors.HullException"/>s; the host maps them to exit codes.
/// Derive from <see cref="PlatformBackendBase"/> to implement only some operations.
/// </summary>
public interface IPlatformBackend
{
    /// <summary>Creates the container and returns once its init waits for start.</summary>
    void Create(CreateRequest request);

    void Start(string id);

    /// <summary>create + start; returns the exit status hull exits with (0 when detached).</summary>
    int Run(RunRequest request);

    ContainerState State(string id);

    IReadOnlyList<ContainerState> List();

    void Kill(KillRequest request);

    void Delete(DeleteRequest request);

    /// <summary>Returns the exit status of the process (0 when detached).</summary>
    int Exec(ExecRequest request);

    /// <summary>The host pids of every process in the container.</summary>
    IReadOnlyList<int> Pids(string id);

    /// <summary>`ps` output (the given ps args) filtered to the container's processes.</summary>
    string ProcessTable(PsRequest request);

    void Pause(string id);

    void Resume(string id);

    /// <summary>Stats once, or a stream every interval plus OOM notices, until cancelled or the container ends.</summary>
    IEnumerable<ContainerEvent> Events(EventsRequest request, CancellationToken cancellation);

    void Update(UpdateRequest request);

    void Checkpoint(CheckpointRequest request);

    /// <summary>Returns the exit status hull exits with, as for run.</summary>
    int Restore(RestoreRequest request);

    /// <summary>What `hull features` reports for this backend.</summary>
    Features Features();
}
