using System.Text.Json.Serialization;
using Hull.Plugins.Linux.Seccomp;

namespace Hull.Plugins.Linux.Process;

/// <summary>What the init needs besides config.json: sent by hull once the bootstrap is done.</summary>
internal sealed record InitOptions
{
    public required string Id { get; init; }
    public required string Bundle { get; init; }
    /// <summary>The rootfs as an absolute host path (config root.path resolved against the bundle).</summary>
    public required string Rootfs { get; init; }
    /// <summary>fds 3..3+PassedFds-1 go to the container's process (LISTEN_FDS, then --preserve-fds).</summary>
    public int PassedFds { get; init; }
    /// <summary>The init's O_PATH fd of the exec fifo; start opens the other end.</summary>
    public int ExecFifoFd { get; init; }
    /// <summary>Appended to process.env (LISTEN_FDS/LISTEN_PID for socket activation).</summary>
    public IReadOnlyList<string> ExtraEnv { get; init; } = [];
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    /// <summary>hull runs with euid != 0: additional groups cannot be set.</summary>
    public bool RootlessEuid { get; init; }
    /// <summary>linux.seccomp compiled by hull (null: none); the init only installs it.</summary>
    public SeccompFilter? Seccomp { get; init; }
}

/// <summary>What exec's process needs besides its process (sent next, as a config holding only
/// `process`): sent by `hull exec` once the bootstrap has joined the container's namespaces.</summary>
internal sealed record ExecOptions
{
    public required string Id { get; init; }
    /// <summary>fds 3..3+PassedFds-1 go to the process (--preserve-fds).</summary>
    public int PassedFds { get; init; }
    /// <summary>The container was created with --no-new-keyring: the process keeps hull's session keyring.</summary>
    public bool NoNewKeyring { get; init; }
    public bool RootlessEuid { get; init; }
    /// <summary>The container's linux.seccomp, compiled by hull (null: none).</summary>
    public SeccompFilter? Seccomp { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(InitOptions))]
[JsonSerializable(typeof(ExecOptions))]
internal sealed partial class InitJson : JsonSerializerContext;
