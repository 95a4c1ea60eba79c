namespace Hull.Abstractions.Oci;

/// <summary>The config.json `hull spec` writes: field for field the one of `runc spec` (runc 1.1).</summary>
public static class SpecDefaults
{
    /// <summary>
    /// The default spec; rootless maps container root to the calling user's effective ids, as
    /// `runc spec --rootless` does.
    /// </summary>
    public static Spec Create(bool rootless)
    {
        var (uid, gid) = rootless ? EffectiveIds() : (0u, 0u);
        return Create(rootless, uid, gid);
    }

    /// <summary>The default spec with explicit host ids for the rootless mapping.</summary>
    public static Spec Create(bool rootless, uint hostUid, uint hostGid)
    {
        string[] caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
        string[] noSuidExecDev = ["nosuid", "noexec", "nodev"];
        var spec = new Spec
        {
            OciVersion = OciVersion.Spec,
            Process = new Process
            {
                Terminal = true,
                User = new User { Uid = 0, Gid = 0 },
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new LinuxCapabilities { Bounding = caps, Effective = caps, Permitted = caps, Ambient = caps },
                Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = "runc",
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new Mount
                {
                    Destination = "/dev/pts", Type = "devpts", Source = "devpts",
                    // gid=5 (tty) cannot be set inside a user namespace that maps only one group.
                    Options = rootless
                        ? ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]
                        : ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
                },
                new Mount { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = [.. noSuidExecDev, "mode=1777", "size=65536k"] },
                new Mount { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = noSuidExecDev },
                // An unprivileged user cannot mount a new sysfs, only bind the host's.
                rootless
                    ? new Mount { Destination = "/sys", Type = "none", Source = "/sys", Options = ["rbind", .. noSuidExecDev, "ro"] }
                    : new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = [.. noSuidExecDev, "ro"] },
                new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = [.. noSuidExecDev, "relatime", "ro"] },
            ],
            Linux = new Linux
            {
                // Rootless: no device cgroup rule (no cgroup to write it to) and no network namespace
                // (an unprivileged user could not set one up), but a user namespace and its mappings.
                UidMappings = rootless ? [new LinuxIdMapping { ContainerId = 0, HostId = hostUid, Size = 1 }] : null,
                GidMappings = rootless ? [new LinuxIdMapping { ContainerId = 0, HostId = hostGid, Size = 1 }] : null,
                Resources = rootless ? null : new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
                Namespaces = rootless
                    ? [Namespace("pid"), Namespace("ipc"), Namespace("uts"), Namespace("mount"), Namespace("user")]
                    : [Namespace("pid"), Namespace("network"), Namespace("ipc"), Namespace("uts"), Namespace("mount")],
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        };
        return spec;
    }

    private static LinuxNamespace Namespace(string type) => new() { Type = type };

    /// <summary>The effective uid and gid, from /proc/self/status (0 where there is no procfs).</summary>
    private static (uint Uid, uint Gid) EffectiveIds()
    {
        uint uid = 0, gid = 0;
        if (!File.Exists("/proc/self/status")) return (uid, gid);
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            // "Uid:\treal\teffective\tsaved\tfs"
            var fields = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3) continue;
            if (fields[0] == "Uid:") uid = uint.Parse(fields[2]);
            else if (fields[0] == "Gid:") gid = uint.Parse(fields[2]);
        }
        return (uid, gid);
    }
}
