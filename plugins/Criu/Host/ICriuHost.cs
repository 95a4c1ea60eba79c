namespace Hull.Plugins.Criu.Host;

/// <summary>
/// The facts about the running system that checkpoint/restore read, behind a seam so the option
/// mapping stays a pure function that unit tests drive with a fake.
/// </summary>
internal interface ICriuHost
{
    /// <summary>The inode of a namespace file (/proc/PID/ns/net, /var/run/netns/x): CRIU names external namespaces by it.</summary>
    ulong NamespaceInode(string path);

    /// <summary>Whether <paramref name="containerPath"/> exists in the container of <paramref name="pid"/> and is not a directory.</summary>
    bool IsFileInContainer(int pid, string containerPath);

    /// <summary>The container path after following symlinks inside <paramref name="rootfs"/>, as the mount was made.</summary>
    string ResolveInRootfs(string rootfs, string containerPath);

    /// <summary>What fds 0, 1, 2 of <paramref name="pid"/> are ("pipe:[123]", "/dev/null", ...).</summary>
    IReadOnlyList<string> StdioDescriptors(int pid);

    /// <summary>/proc/PID/cgroup as controller (v1: "cpu,cpuacct", "name=systemd"; v2: "") to path.</summary>
    IReadOnlyList<KeyValuePair<string, string>> CgroupsOf(int pid);

    /// <summary>Whether /sys/fs/cgroup is the cgroup v2 unified hierarchy.</summary>
    bool IsCgroup2Unified { get; }
}
