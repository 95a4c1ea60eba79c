namespace Hull.Plugins.Linux.Cgroups;

/// <summary>
/// What the cgroup managers tell a RootlessCgroups user who has no cgroup hull may write: why, and
/// what would make the command work. hull creates a cgroup wherever it may write (a delegated v2
/// subtree beside its own cgroup, or linux.cgroupsPath), so the way out is to give it one.
/// </summary>
internal static class RootlessCgroups
{
    /// <summary>The container has no cgroup (nothing was delegated); pause, update, events, ps need one.</summary>
    internal const string NoCgroup =
        "hull ran rootless and no cgroup was delegated to this user, so it could not create one; " +
        "run hull as root, or give the user a writable cgroup: a delegated cgroup v2 subtree on a host with the unified hierarchy " +
        "(e.g. systemd's user@.service with Delegate=yes), or a directory it owns named by linux.cgroupsPath";

    /// <summary>Placing the init failed on permissions where the config insists on a cgroup (a path or limits).</summary>
    internal const string MayNotWrite =
        "rootless: hull may not write this cgroup; delegate a cgroup subtree to this user (a cgroup v2 one, e.g. systemd's Delegate=yes, " +
        "or a directory it owns named by linux.cgroupsPath), or drop linux.cgroupsPath and the limits";
}
