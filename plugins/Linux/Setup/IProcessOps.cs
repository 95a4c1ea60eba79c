namespace Hull.Plugins.Linux.Setup;

/// <summary>
/// The process-level syscalls of the container's setup (identity, capabilities, limits, names),
/// behind a seam so their order and arguments are unit-tested. The real one is
/// <see cref="LibcProcessOps"/>; capability and prctl calls act on the calling thread, which must
/// be the one that calls execve.
/// </summary>
internal interface IProcessOps
{
    /// <summary>prlimit(pid, resource, {soft, hard}); returns 0 or the errno.</summary>
    int SetRlimit(int pid, int resource, ulong soft, ulong hard);
    (ulong Soft, ulong Hard)? GetRlimit(int pid, int resource);

    /// <summary>The highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap).</summary>
    int LastCap { get; }
    void DropBounding(int cap);
    void SetKeepCaps(bool keep);
    void SetCapabilities(ulong effective, ulong permitted, ulong inheritable);
    void ClearAmbient();
    /// <summary>False when the kernel refuses (the capability is not both permitted and inheritable).</summary>
    bool RaiseAmbient(int cap);
    void SetNoNewPrivileges();

    /// <summary>Whether setgroups(2) is allowed here (/proc/self/setgroups does not say "deny").</summary>
    bool SetgroupsAllowed { get; }
    void SetGroups(IReadOnlyList<uint> gids);
    void SetGid(uint gid);
    void SetUid(uint uid);
    /// <summary>Makes stdin/stdout/stderr owned by <paramref name="uid"/> (but never /dev/null), so the process can reopen them.</summary>
    void FixStdioOwner(uint uid);
    uint SetUmask(uint mask);

    /// <summary>Sets the loopback interface `lo` of our network namespace up (a new one has it down).</summary>
    void BringLoopbackUp();

    void SetHostname(string name);
    void SetDomainname(string name);

    /// <summary>A file of the container (after pivot_root), or null when it cannot be read.</summary>
    string? ReadFile(string path);
}
