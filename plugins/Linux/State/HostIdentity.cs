using System.Globalization;
using Hull.Abstractions.Runtime;

namespace Hull.Plugins.Linux.State;

/// <summary>
/// The facts the rootless and root-dir rules decide on, read once per command and injected so
/// every cell of the rules is unit-tested.
/// </summary>
internal sealed record HostIdentity(uint Euid, bool InInitialUserNamespace, string? XdgRuntimeDir, string? User)
{
    internal static HostIdentity Current() => new(
        Interop.Libc.Creds.geteuid(),
        ReadsAsInitialUserNamespace(Interop.Libc.Fs.TryReadText("/proc/self/uid_map")),
        Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"),
        Environment.GetEnvironmentVariable("USER"));

    /// <summary>
    /// runc's RunningInUserNS: the initial user namespace maps all 2^32 ids onto themselves
    /// ("0 0 4294967295"). No uid_map at all means a kernel without user namespaces.
    /// </summary>
    internal static bool ReadsAsInitialUserNamespace(string? uidMap)
    {
        if (uidMap is null) return true;
        var lines = uidMap.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length != 1) return false;
        var f = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length == 3 && f[0] == "0" && f[1] == "0"
            && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size == uint.MaxValue;
    }
}

/// <summary>The two rootless facts (kept separately in the state file, as runc's).</summary>
internal readonly record struct RootlessFacts(bool RootlessEuid, bool RootlessCgroups)
{
    /// <summary>
    /// RootlessEUID: euid != 0 in hull's user namespace; it decides everything but cgroups.
    /// RootlessCgroups: --rootless true|false says so; auto: false only for euid 0 in the
    /// initial user namespace (root in a user namespace, e.g. podman or Docker-in-LXD, gets true).
    /// </summary>
    internal static RootlessFacts Decide(HostIdentity host, RootlessMode mode)
    {
        var euid = host.Euid != 0;
        var cgroups = mode switch
        {
            RootlessMode.True => true,
            RootlessMode.False => false,
            _ => euid || !host.InInitialUserNamespace,
        };
        return new RootlessFacts(euid, cgroups);
    }
}

/// <summary>Where the root dir is and whether it came from XDG_RUNTIME_DIR.</summary>
internal readonly record struct RootDirChoice(string Path, bool FromXdgRuntimeDir);

/// <summary>The root directory rules (issue 6, runc's with the USER condition made strict).</summary>
internal static class RootDir
{
    internal const string SystemDefault = "/run/hull";

    /// <summary>
    /// /run/hull, except $XDG_RUNTIME_DIR/hull when XDG_RUNTIME_DIR is set and: euid != 0; or euid
    /// is 0 inside a user namespace and $USER is set and not "root". Real root (euid 0 in the
    /// initial namespace) ignores XDG_RUNTIME_DIR, for compatibility.
    /// </summary>
    internal static RootDirChoice Default(HostIdentity host)
    {
        if (string.IsNullOrEmpty(host.XdgRuntimeDir)) return new(SystemDefault, false);
        var honour = host.Euid != 0
            || (!host.InInitialUserNamespace && !string.IsNullOrEmpty(host.User) && host.User != "root");
        return honour ? new(System.IO.Path.Combine(host.XdgRuntimeDir, "hull"), true) : new(SystemDefault, false);
    }

    /// <summary>The root dir for this command: --root, else the default rules; always absolute.</summary>
    internal static RootDirChoice Resolve(string? explicitRoot, HostIdentity host)
    {
        var choice = explicitRoot is null ? Default(host) : new RootDirChoice(explicitRoot, false);
        return choice with { Path = System.IO.Path.GetFullPath(choice.Path) };
    }

    /// <summary>
    /// Creates the root dir 0700 if missing (commands that make containers call this; readers
    /// just find no containers). Under XDG_RUNTIME_DIR it gets the sticky bit, as runc does, so
    /// the session's runtime-dir cleaner leaves it alone.
    /// </summary>
    internal static string Ensure(RootDirChoice choice, uint euid)
    {
        const uint Private = 0x1c0 /* 0700 */, Sticky = 0x200;
        var path = choice.Path;
        var what = $"cannot create the root directory {path}";
        try
        {
            // Missing parents (an XDG_RUNTIME_DIR not made yet) are private too, as runc's MkdirAll(root, 0700).
            var missing = new Stack<string>();
            for (var dir = path; dir is not null && !Directory.Exists(dir); dir = System.IO.Path.GetDirectoryName(dir))
                missing.Push(dir);
            while (missing.TryPop(out var dir))
                Interop.Libc.Fs.MakeDirectory(dir, Private, what);
            if (choice.FromXdgRuntimeDir)
                Interop.Libc.Fs.Check(Interop.Libc.Fs.fchmodat(Interop.Libc.Fs.AT_FDCWD, path, Private | Sticky, 0), what);
        }
        catch (Interop.SyscallException e) when (e.Errno == Interop.SyscallException.EACCES)
        {
            throw PermissionDenied(what, euid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Abstractions.Errors.HullException($"{what}: {e.Message}");
        }
        return path;
    }

    /// <summary>EACCES on the root dir: for a non-root user, the way out (usually XDG_RUNTIME_DIR unset, so /run/hull).</summary>
    internal static Abstractions.Errors.HullException PermissionDenied(string what, uint euid) =>
        new($"{what}: permission denied" + (euid == 0 ? ""
            : $"; as a non-root user (uid {euid}) set XDG_RUNTIME_DIR (hull then uses $XDG_RUNTIME_DIR/hull) or pass --root with a directory you own"));
}
