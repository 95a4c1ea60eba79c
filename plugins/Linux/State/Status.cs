using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.State;

/// <summary>Where a container is in its life (runtime-spec states plus runc's pausing/paused).</summary>
internal enum Status
{
    /// <summary>create is still setting it up (the creating hull holds the container's lock).</summary>
    Creating,
    /// <summary>The init waits on the exec fifo for start.</summary>
    Created,
    Running,
    /// <summary>The freezer was asked to freeze and has not finished.</summary>
    Pausing,
    Paused,
    Stopped,
}

internal static class StatusNames
{
    /// <summary>The name the state JSON and `list` use.</summary>
    internal static string ToOci(this Status status) => status switch
    {
        Status.Creating => ContainerStatus.Creating,
        Status.Created => ContainerStatus.Created,
        Status.Running => ContainerStatus.Running,
        Status.Pausing => ContainerStatus.Pausing,
        Status.Paused => ContainerStatus.Paused,
        _ => ContainerStatus.Stopped,
    };
}
