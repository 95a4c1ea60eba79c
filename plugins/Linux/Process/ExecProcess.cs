using System.Globalization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The process `exec` runs, as runc builds it: the container's `process` with the command line's
/// args and overrides (runc's getProcess), or a process.json (-p). runc ignores the other flags
/// with -p; hull applies the ones given on top of it, so a flag is never silently dropped. What a
/// process.json leaves out comes from the container (runc's newInitConfig): capabilities, rlimits,
/// the AppArmor profile and the SELinux label — not no_new_privs, which a process.json decides.
/// The container's seccomp filter always applies.
/// </summary>
internal static class ExecProcess
{
    public static Abstractions.Oci.Process Resolve(ExecRequest request, Spec container, Func<string, string> readFile)
    {
        var own = container.Process ?? throw new ConfigException("the container's config has no process", "process");
        Abstractions.Oci.Process p;
        if (request.ProcessFile is { } file)
        {
            string json;
            try { json = readFile(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new HullException($"reading the process file {file}: {e.Message}");
            }
            p = OciJson.ParseProcess(json, file);
            p = p with
            {
                Capabilities = p.Capabilities ?? own.Capabilities,
                Rlimits = p.Rlimits ?? own.Rlimits,
                ApparmorProfile = string.IsNullOrEmpty(p.ApparmorProfile) ? own.ApparmorProfile : p.ApparmorProfile,
                SelinuxLabel = string.IsNullOrEmpty(p.SelinuxLabel) ? own.SelinuxLabel : p.SelinuxLabel,
                Args = request.Args.Count > 0 ? request.Args : p.Args,
                Terminal = p.Terminal || request.Tty,
            };
        }
        else
        {
            p = own with { Args = request.Args, Terminal = request.Tty };
        }
        p = WithFlags(p, request);
        Validate(p);
        return p;
    }

    static Abstractions.Oci.Process WithFlags(Abstractions.Oci.Process p, ExecRequest r)
    {
        var user = p.User;
        if (r.User is { Length: > 0 } spec)
        {
            var parts = spec.Split(':', 2);
            user = user with { Uid = ParseId(parts[0], "uid") };
            if (parts.Length == 2) user = user with { Gid = ParseId(parts[1], "gid") };
        }
        if (r.AdditionalGids.Count > 0)
            user = user with { AdditionalGids = [.. user.AdditionalGids ?? [], .. r.AdditionalGids] };
        var caps = p.Capabilities;
        if (r.Capabilities.Count > 0)
        {
            // As runc since CVE-2022-29162: --cap never reaches the inheritable set; ambient needs
            // it, so an added ambient capability only holds if the config made it inheritable.
            caps ??= new LinuxCapabilities();
            caps = caps with
            {
                Bounding = [.. caps.Bounding ?? [], .. r.Capabilities],
                Effective = [.. caps.Effective ?? [], .. r.Capabilities],
                Permitted = [.. caps.Permitted ?? [], .. r.Capabilities],
                Ambient = [.. caps.Ambient ?? [], .. r.Capabilities],
            };
        }
        return p with
        {
            User = user,
            Capabilities = caps,
            Cwd = string.IsNullOrEmpty(r.Cwd) ? p.Cwd : r.Cwd,
            Env = r.Env.Count > 0 ? [.. p.Env ?? [], .. r.Env] : p.Env,
            NoNewPrivileges = p.NoNewPrivileges || r.NoNewPrivileges,
            ApparmorProfile = string.IsNullOrEmpty(r.AppArmorProfile) ? p.ApparmorProfile : r.AppArmorProfile,
            SelinuxLabel = string.IsNullOrEmpty(r.ProcessLabel) ? p.SelinuxLabel : r.ProcessLabel,
        };
    }

    static uint ParseId(string text, string what) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new HullException($"parsing {text} as int for {what} failed: use --user <uid>[:<gid>] with numbers");

    /// <summary>runc's validateProcessSpec.</summary>
    static void Validate(Abstractions.Oci.Process p)
    {
        if (string.IsNullOrEmpty(p.Cwd)) throw new ConfigException("Cwd property must not be empty", "process.cwd");
        if (!p.Cwd.StartsWith('/')) throw new ConfigException($"Cwd must be an absolute path (got \"{p.Cwd}\")", "process.cwd");
        if (p.Args is not { Count: > 0 }) throw new ConfigException("args must not be empty", "process.args");
    }
}
