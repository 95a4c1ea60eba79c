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
    public static byte[] Encode(InitOptions o) => Abstractions.Oci.OciJson.WriteObject(w =>
    {
        Common(w, o.Id, o.PassedFds, o.NoNewKeyring, o.RootlessEuid, o.Seccomp);
        w.WriteString("bundle", o.Bundle);
        w.WriteString("rootfs", o.Rootfs);
        w.WriteStartArray("extraEnv");
        foreach (var e in o.ExtraEnv) w.WriteStringValue(e);
        w.WriteEndArray();
        w.WriteBoolean("noPivot", o.NoPivot);
    });

    public static byte[] Encode(ExecOptions o) => Abstractions.Oci.OciJson.WriteObject(w => Common(w, o.Id, o.PassedFds, o.NoNewKeyring, o.RootlessEuid, o.Seccomp));

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

    /// <summary>
    /// exec's process as a config ({"ociVersion", "process"}) for the process's ParseConfig, in the
    /// members and form the serializer writes: the serializer's start-up for it was ~2 ms of an exec.
    /// </summary>
    public static byte[] EncodeExecProcess(string ociVersion, Hull.Abstractions.Oci.Process p) => Abstractions.Oci.OciJson.WriteObject(w =>
    {
        w.WriteString("ociVersion", ociVersion);
        w.WriteStartObject("process");
        if (p.Terminal) w.WriteBoolean("terminal", true);
        if (p.ConsoleSize is { } size)
        {
            w.WriteStartObject("consoleSize");
            w.WriteNumber("height", size.Height);
            w.WriteNumber("width", size.Width);
            w.WriteEndObject();
        }
        w.WriteStartObject("user");
        w.WriteNumber("uid", p.User.Uid);
        w.WriteNumber("gid", p.User.Gid);
        if (p.User.Umask is { } umask) w.WriteNumber("umask", umask);
        if (p.User.AdditionalGids is { } gids)
        {
            w.WriteStartArray("additionalGids");
            foreach (var gid in gids) w.WriteNumberValue(gid);
            w.WriteEndArray();
        }
        OptionalString(w, "username", p.User.Username);
        w.WriteEndObject();
        Strings(w, "args", p.Args);
        OptionalString(w, "commandLine", p.CommandLine);
        Strings(w, "env", p.Env);
        w.WriteString("cwd", p.Cwd);
        if (p.Capabilities is { } caps)
        {
            w.WriteStartObject("capabilities");
            Strings(w, "bounding", caps.Bounding);
            Strings(w, "effective", caps.Effective);
            Strings(w, "inheritable", caps.Inheritable);
            Strings(w, "permitted", caps.Permitted);
            Strings(w, "ambient", caps.Ambient);
            w.WriteEndObject();
        }
        if (p.Rlimits is { } rlimits)
        {
            w.WriteStartArray("rlimits");
            foreach (var r in rlimits)
            {
                w.WriteStartObject();
                w.WriteString("type", r.Type);
                w.WriteNumber("hard", r.Hard);
                w.WriteNumber("soft", r.Soft);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (p.NoNewPrivileges) w.WriteBoolean("noNewPrivileges", true);
        OptionalString(w, "apparmorProfile", p.ApparmorProfile);
        if (p.OomScoreAdj is { } oom) w.WriteNumber("oomScoreAdj", oom);
        if (p.Scheduler is { } s)
        {
            w.WriteStartObject("scheduler");
            w.WriteString("policy", s.Policy);
            if (s.Nice != 0) w.WriteNumber("nice", s.Nice);
            if (s.Priority != 0) w.WriteNumber("priority", s.Priority);
            Strings(w, "flags", s.Flags);
            if (s.Runtime != 0) w.WriteNumber("runtime", s.Runtime);
            if (s.Deadline != 0) w.WriteNumber("deadline", s.Deadline);
            if (s.Period != 0) w.WriteNumber("period", s.Period);
            w.WriteEndObject();
        }
        OptionalString(w, "selinuxLabel", p.SelinuxLabel);
        if (p.IOPriority is { } io)
        {
            w.WriteStartObject("ioPriority");
            w.WriteString("class", io.Class);
            w.WriteNumber("priority", io.Priority);
            w.WriteEndObject();
        }
        if (p.ExecCpuAffinity is { } affinity)
        {
            w.WriteStartObject("execCPUAffinity");
            OptionalString(w, "initial", affinity.Initial);
            OptionalString(w, "final", affinity.Final);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    static void OptionalString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    public static ExecOptions DecodeExec(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var (id, passedFds, noNewKeyring, rootlessEuid, seccomp) = Common(document.RootElement);
        return new ExecOptions { Id = id, PassedFds = passedFds, NoNewKeyring = noNewKeyring, RootlessEuid = rootlessEuid, Seccomp = seccomp };
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
