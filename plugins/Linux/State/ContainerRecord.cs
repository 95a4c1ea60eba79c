using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.State;

/// <summary>
/// state.json (<see cref="ContainerRecordJson"/>): what later commands need to find and control a container. The config itself is
/// kept beside it (<see cref="ContainerStore.ConfigFileName"/>) so that `state` and `list` never
/// parse it. Status here is only what the last command recorded; the live status is always
/// re-derived from the system (<see cref="StatusDerivation"/>).
/// </summary>
internal sealed record ContainerRecord
{
    public required string Id { get; init; }
    /// <summary>The config's ociVersion, reported by `state`.</summary>
    public string OciVersion { get; init; } = "";
    public required string Bundle { get; init; }
    /// <summary>The rootfs as an absolute host path.</summary>
    public required string Rootfs { get; init; }
    public DateTimeOffset Created { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    public Status Status { get; init; } = Status.Creating;

    /// <summary>The container's init in hull's pid namespace; 0 until it is started.</summary>
    public int InitPid { get; init; }
    /// <summary>Field 22 of /proc/PID/stat when the init started: tells our init from a reused pid.</summary>
    public ulong InitStartTime { get; init; }

    /// <summary>Exists while the init waits for start; its presence is what "created" means.</summary>
    public string? ExecFifoPath { get; init; }

    /// <summary>Controller (v1) or "" (v2 unified) → the container's cgroup directory.</summary>
    public IReadOnlyDictionary<string, string> CgroupPaths { get; init; } = new Dictionary<string, string>();
    /// <summary>Namespace type → path (/proc/PID/ns/TYPE or the config's path), for exec and `ps`.</summary>
    public IReadOnlyDictionary<string, string> NamespacePaths { get; init; } = new Dictionary<string, string>();

    /// <summary>Created with --no-new-keyring: exec'd processes keep the caller's session keyring too.</summary>
    public bool NoNewKeyring { get; init; }

    /// <summary>hull ran with euid != 0 in its user namespace.</summary>
    public bool RootlessEuid { get; init; }
    /// <summary>hull may not have full access to cgroups (decided by --rootless and the detection rules).</summary>
    public bool RootlessCgroups { get; init; }
    /// <summary>Only both together make a rootless container, as runc's state.json says.</summary>
    public bool Rootless => RootlessEuid && RootlessCgroups;

    /// <summary>The state JSON for `state` and `list` (runc reports pid 0 once stopped).</summary>
    public ContainerState ToOciState(Status status, string owner = "") => new()
    {
        OciVersion = OciVersion,
        Id = Id,
        Pid = status == Status.Stopped ? 0 : InitPid,
        Status = status.ToOci(),
        Bundle = Bundle,
        Rootfs = Rootfs,
        Created = Created,
        Annotations = Annotations is { Count: > 0 } ? Annotations : null,
        Owner = owner,
    };
}
