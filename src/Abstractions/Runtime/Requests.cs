namespace Hull.Abstractions.Runtime;

/// <summary>How a new container's process gets its stdio and where its pid goes (create, run, restore).</summary>
public record LaunchOptions
{
    public string? ConsoleSocket { get; init; }
    public string? PidFile { get; init; }
    /// <summary>Extra fds (3..3+N-1) passed to the container's process.</summary>
    public int PreserveFds { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
}

public sealed record CreateRequest(string Id, string Bundle) : LaunchOptions;

public sealed record RunRequest(string Id, string Bundle) : LaunchOptions
{
    public bool Detach { get; init; }
    /// <summary>--keep: do not delete the container after it exits.</summary>
    public bool Keep { get; init; }
    public bool NoSubreaper { get; init; }
}

public sealed record ExecRequest(string Id)
{
    /// <summary>-p/--process: a process.json; when set, Args/Env/Cwd/User come from it and flags override.</summary>
    public string? ProcessFile { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public bool Tty { get; init; }
    public string? ConsoleSocket { get; init; }
    public bool Detach { get; init; }
    public string? PidFile { get; init; }
    public string? Cwd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary>-u uid[:gid]</summary>
    public string? User { get; init; }
    public IReadOnlyList<uint> AdditionalGids { get; init; } = [];
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public bool NoNewPrivileges { get; init; }
    public string? AppArmorProfile { get; init; }
    public string? ProcessLabel { get; init; }
    public int PreserveFds { get; init; }
    /// <summary>--cgroup: run the process in these existing sub-cgroups, each "[controller:]path".</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];
    /// <summary>--ignore-paused: allow exec in a paused container.</summary>
    public bool IgnorePaused { get; init; }
}

public sealed record KillRequest(string Id, int Signal, bool All);

public sealed record DeleteRequest(string Id, bool Force);

public sealed record PsRequest(string Id, IReadOnlyList<string> PsArgs);

public sealed record EventsRequest(string Id, bool StatsOnce, TimeSpan Interval);

/// <summary>update: the resources to change; null members are left as they are.</summary>
public sealed record UpdateRequest(string Id, Oci.LinuxResources Resources)
{
    /// <summary>--l3-cache-schema: Intel RDT/CAT L3 cache schema (linux.intelRdt, not a resource); null leaves it.</summary>
    public string? L3CacheSchema { get; init; }
    /// <summary>--mem-bw-schema: Intel RDT/MBA memory bandwidth schema; null leaves it.</summary>
    public string? MemBwSchema { get; init; }
}

public enum CgroupsMode { Soft, Full, Strict, Ignore }

/// <summary>The CRIU-related options common to checkpoint and restore (runc 1.1's flags).</summary>
public record CriuOptions
{
    public string? ImagePath { get; init; }
    public string? WorkPath { get; init; }
    public bool TcpEstablished { get; init; }
    public bool ExternalUnixSockets { get; init; }
    public bool ShellJob { get; init; }
    public bool FileLocks { get; init; }
    public bool LazyPages { get; init; }
    public CgroupsMode? ManageCgroupsMode { get; init; }
    /// <summary>--empty-ns: namespace types CRIU should create empty rather than restore.</summary>
    public IReadOnlyList<string> EmptyNamespaces { get; init; } = [];
    public bool AutoDedup { get; init; }
}

public sealed record CheckpointRequest(string Id) : CriuOptions
{
    public string? ParentPath { get; init; }
    public bool LeaveRunning { get; init; }
    public int? StatusFd { get; init; }
    /// <summary>--page-server ADDRESS:PORT</summary>
    public string? PageServer { get; init; }
    public bool PreDump { get; init; }
}

public sealed record RestoreRequest(string Id, string Bundle) : CriuOptions
{
    public bool Detach { get; init; }
    public string? PidFile { get; init; }
    public bool NoSubreaper { get; init; }
    public bool NoPivot { get; init; }
    public string? ConsoleSocket { get; init; }
    /// <summary>--lsm-profile TYPE:NAME to use for the restored process.</summary>
    public string? LsmProfile { get; init; }
    /// <summary>--lsm-mount-context for the restored container's mounts.</summary>
    public string? LsmMountContext { get; init; }
}
