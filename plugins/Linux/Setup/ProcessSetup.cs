using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Setup;

/// <summary>Who the container's process runs as, and the HOME it gets when the config sets none.</summary>
internal sealed record ExecUser(uint Uid, uint Gid, IReadOnlyList<uint> Groups, string Home);

/// <summary>
/// Makes the init the container's process, on the thread that will call execve, in runc's order
/// (finalizeNamespace): no_new_privs; drop the bounding set; keep capabilities across the id
/// change; stdio ownership, setgroups, setgid, setuid; set effective/permitted/inheritable;
/// ambient; umask. seccomp and execve follow in the caller (Process/ProcessLockdown), which may
/// have some capabilities held a little longer for them.
/// </summary>
internal sealed class ProcessSetup(IProcessOps ops)
{
    /// <param name="rootlessEuid">hull runs unprivileged: additional groups cannot be set.</param>
    /// <param name="held">Capabilities (a mask) kept in the effective and permitted sets on top of
    /// the config's, for the caller to drop itself: CAP_SYS_ADMIN until a seccomp filter without
    /// no_new_privs is installed, right before execve.</param>
    /// <param name="warn">runc's warnings (unknown or unavailable capabilities).</param>
    internal ExecUser Apply(Abstractions.Oci.Process process, bool rootlessEuid, ulong held, Action<string> warn)
    {
        var sets = CapabilitySets.From(process.Capabilities, ops.LastCap, out var ignored);
        if (ignored.Count > 0) warn($"ignoring unknown or unavailable capabilities: [{string.Join(' ', ignored)}]");
        var user = ResolveUser(process.User, rootlessEuid);

        if (process.NoNewPrivileges) ops.SetNoNewPrivileges();

        for (var cap = 0; cap <= ops.LastCap; cap++)
            if ((sets.Bounding & (1UL << cap)) == 0) ops.DropBounding(cap);
        ops.SetKeepCaps(true);
        ops.FixStdioOwner(user.Uid);
        // An unprivileged user namespace has setgroups denied; then the groups stay as they are,
        // as runc does (the config cannot have asked: rootless refuses additionalGids above).
        if (!rootlessEuid && ops.SetgroupsAllowed) ops.SetGroups(user.Groups);
        ops.SetGid(user.Gid);
        ops.SetUid(user.Uid);
        ops.SetKeepCaps(false);
        ops.SetCapabilities(sets.Effective | held, sets.Permitted | held, sets.Inheritable);
        ops.ClearAmbient();
        // runc ignores an ambient capability the kernel refuses (one not permitted and inheritable;
        // runc's own default spec asks for ambient capabilities without inheritable ones).
        foreach (var cap in CapabilitySets.Bits(sets.Ambient, ops.LastCap)) ops.RaiseAmbient(cap);
        ops.SetUmask(process.User.Umask ?? 0x12 /* 0022 */);
        return user;
    }

    /// <summary>
    /// The ids come from the config as numbers (runc's "uid:gid" form: no supplementary groups from
    /// /etc/group); /etc/passwd of the container only gives HOME ("/" without an entry).
    /// </summary>
    ExecUser ResolveUser(Abstractions.Oci.User user, bool rootlessEuid)
    {
        var groups = user.AdditionalGids ?? [];
        if (rootlessEuid && groups.Count > 0)
            throw new ConfigException("cannot set any additional groups in a rootless container", "process.user.additionalGids");
        var passwd = ops.ReadFile("/etc/passwd");
        var home = passwd is null ? null : UserDatabase.FindUser(passwd, user.Uid)?.Home;
        return new ExecUser(user.Uid, user.Gid, groups, string.IsNullOrEmpty(home) ? "/" : home);
    }

    /// <summary>The process environment with HOME from the user's passwd entry when the config
    /// leaves it unset or empty (as runc).</summary>
    internal static IReadOnlyList<string> WithHome(IReadOnlyList<string> env, ExecUser user) =>
        env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal) && e.Length > 5)
            ? env
            : [.. env.Where(e => !e.StartsWith("HOME=", StringComparison.Ordinal)), "HOME=" + user.Home];
}
