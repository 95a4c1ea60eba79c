namespace Hull.Plugins.Linux.Process;

/// <summary>What the lifecycle keeps about a container between hull commands.</summary>
internal sealed record ContainerRecord
{
    public required string Id { get; init; }
    public int InitPid { get; init; }
    /// <summary>Field 22 of /proc/PID/stat at create: tells our init from a later process reusing its pid.</summary>
    public ulong InitStartTime { get; init; }
    public required string Bundle { get; init; }
    public required string Rootfs { get; init; }
    public DateTimeOffset Created { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    public IReadOnlyDictionary<string, string> CgroupPaths { get; init; } = new Dictionary<string, string>();
}

/// <summary>The containers under one --root. Each container is opened locked: concurrent hull
/// commands on one container serialize.</summary>
internal interface IContainerStore
{
    /// <summary>Makes the container's directory; ContainerExistsException if the id is taken.</summary>
    IContainerEntry Create(string id);

    /// <summary>ContainerNotFoundException if there is none.</summary>
    IContainerEntry Open(string id);

    IReadOnlyList<string> Ids();
}

internal interface IContainerEntry : IDisposable
{
    string Id { get; }
    /// <summary>The container's state dir (the exec fifo lives here).</summary>
    string Dir { get; }
    ContainerRecord? Record { get; }
    void Save(ContainerRecord record);
    /// <summary>Removes the container's directory; the entry is unusable afterwards.</summary>
    void Remove();
}
