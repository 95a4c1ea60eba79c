using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;

namespace Hull.Abstractions.Checkpoint;

/// <summary>
/// Checkpoint and restore of a container's processes (CRIU). The platform backend owns containers
/// and hands the checkpointer only what it needs, as a <see cref="CheckpointTarget"/>; restore calls
/// back into the backend through <see cref="IRestoreCallbacks"/> to finish the container.
/// </summary>
public interface ICheckpointer
{
    /// <summary>Refuses at once, with the reason, when the tool is missing or too old.</summary>
    void EnsureAvailable();

    void Checkpoint(CheckpointTarget target, CheckpointRequest request);

    /// <summary>Restores the processes; returns the new init pid.</summary>
    int Restore(CheckpointTarget target, RestoreRequest request, IRestoreCallbacks callbacks);
}

/// <summary>A namespace of the container: its type ("network", "pid", ...) and the path it was joined by, if any.</summary>
public sealed record NamespaceInfo(string Type, string? Path);

/// <summary>What the platform backend exposes about a container for checkpoint/restore.</summary>
public sealed record CheckpointTarget(
    string Id,
    string Bundle,
    string Rootfs,
    Spec Config,
    int InitPid,
    IReadOnlyList<NamespaceInfo> Namespaces,
    IReadOnlyDictionary<string, string> CgroupPaths);

/// <summary>Calls CRIU's notify points make back into the backend during restore.</summary>
public interface IRestoreCallbacks
{
    /// <summary>The restored init exists (in its namespaces) but has not run: apply cgroups, run createRuntime hooks.</summary>
    void SetupNamespaces(int initPid);

    /// <summary>Restore finished: record the new init pid, run poststart hooks.</summary>
    void PostRestore(int initPid);
}
