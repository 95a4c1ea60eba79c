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
    IReadOnlyDictionary<string, string> CgroupPaths)
{
    /// <summary>
    /// The container's state directory. Restore needs it: CRIU wants the root to be a mount point
    /// whose parent is not overmounted, so the rootfs is bind-mounted at StateDir/criu-root for it.
    /// </summary>
    public string? StateDir { get; init; }

    /// <summary>
    /// Bind mounts from the host that the backend made but config.json does not list (e.g. the
    /// cgroup v1 controller directories under /sys/fs/cgroup): CRIU must be told they are external.
    /// </summary>
    public IReadOnlyList<HostBindMount> ExtraBindMounts { get; init; } = [];
}

/// <summary>A bind mount of a host path (<paramref name="Source"/>) at a container path.</summary>
public sealed record HostBindMount(string Destination, string Source);

/// <summary>Calls CRIU's notify points make back into the backend during restore.</summary>
public interface IRestoreCallbacks
{
    /// <summary>
    /// Before the restore request is sent: put CRIU (this pid) into the container's cgroups, created
    /// and with the config's resources applied, so the restored tasks are born in them. The
    /// checkpointer then reads /proc/PID/cgroup to tell CRIU where the container's cgroups are now.
    /// </summary>
    void ApplyCgroups(int criuPid);

    /// <summary>The restored init exists (in its namespaces) but has not run: run prestart/createRuntime hooks.</summary>
    void SetupNamespaces(int initPid);

    /// <summary>
    /// The container had a terminal: CRIU made a new pty and hands over its master. Send it to the
    /// restore's --console-socket as create does. The fd is closed after this returns.
    /// </summary>
    void OrphanPtsMaster(int masterFd);

    /// <summary>Restore finished: record the new init pid, run poststart hooks.</summary>
    void PostRestore(int initPid);
}
