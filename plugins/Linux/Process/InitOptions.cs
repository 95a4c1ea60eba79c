using System.Text.Json;
using Hull.Plugins.Linux.Seccomp;

namespace Hull.Plugins.Linux.Process;

/// <summary>What the init needs besides config.json: sent by hull once the bootstrap is done, with
/// an O_PATH fd of the exec fifo attached (start opens its other end).</summary>
internal sealed record InitOptions
{
    public required string Id { get; init; }
    public required string Bundle { get; init; }
    /// <summary>The rootfs as an absolute host path (config root.path resolved against the bundle).</summary>
    public required string Rootfs { get; init; }
    /// <summary>fds 3..3+PassedFds-1 go to the container's process (LISTEN_FDS, then --preserve-fds).</summary>
    public int PassedFds { get; init; }
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

/// <summary>
/// <see cref="InitOptions"/> and <see cref="ExecOptions"/> as JSON, written and read by hand: the
/// init (and exec's process) is a fresh process whose start-up is on the command's path, and the
/// serializer's first use builds its metadata by reflection. Both ends are the same build.
/// </summary>
internal static class InitMessages
{
    public static byte[] Encode(InitOptions o) => Write(w =>
    {
        Common(w, o.Id, o.PassedFds, o.NoNewKeyring, o.RootlessEuid, o.Seccomp);
        w.WriteString("bundle", o.Bundle);
        w.WriteString("rootfs", o.Rootfs);
        w.WriteStartArray("extraEnv");
        foreach (var e in o.ExtraEnv) w.WriteStringValue(e);
        w.WriteEndArray();
        w.WriteBoolean("noPivot", o.NoPivot);
    });

    public static byte[] Encode(ExecOptions o) => Write(w => Common(w, o.Id, o.PassedFds, o.NoNewKeyring, o.RootlessEuid, o.Seccomp));

    public static InitOptions DecodeInit(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var (id, passedFds, noNewKeyring, rootlessEuid, seccomp) = Common(root);
        return new InitOptions
        {
            Id = id,
            PassedFds = passedFds,
            NoNewKeyring = noNewKeyring,
            RootlessEuid = rootlessEuid,
            Seccomp = seccomp,
            Bundle = root.GetProperty("bundle").GetString()!,
            Rootfs = root.GetProperty("rootfs").GetString()!,
            ExtraEnv = [.. root.GetProperty("extraEnv").EnumerateArray().Select(e => e.GetString()!)],
            NoPivot = root.GetProperty("noPivot").GetBoolean(),
        };
    }

    public static ExecOptions DecodeExec(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var (id, passedFds, noNewKeyring, rootlessEuid, seccomp) = Common(document.RootElement);
        return new ExecOptions { Id = id, PassedFds = passedFds, NoNewKeyring = noNewKeyring, RootlessEuid = rootlessEuid, Seccomp = seccomp };
    }

    static byte[] Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void Common(Utf8JsonWriter w, string id, int passedFds, bool noNewKeyring, bool rootlessEuid, SeccompFilter? seccomp)
    {
        w.WriteString("id", id);
        w.WriteNumber("passedFds", passedFds);
        w.WriteBoolean("noNewKeyring", noNewKeyring);
        w.WriteBoolean("rootlessEuid", rootlessEuid);
        if (seccomp is null) return;
        w.WriteBase64String("seccompProgram", seccomp.Program);
        w.WriteNumber("seccompFlags", seccomp.Flags);
    }

    static (string Id, int PassedFds, bool NoNewKeyring, bool RootlessEuid, SeccompFilter? Seccomp) Common(JsonElement root) => (
        root.GetProperty("id").GetString()!,
        root.GetProperty("passedFds").GetInt32(),
        root.GetProperty("noNewKeyring").GetBoolean(),
        root.GetProperty("rootlessEuid").GetBoolean(),
        root.TryGetProperty("seccompProgram", out var program)
            ? new SeccompFilter { Program = program.GetBytesFromBase64(), Flags = root.GetProperty("seccompFlags").GetUInt32() }
            : null);
}
