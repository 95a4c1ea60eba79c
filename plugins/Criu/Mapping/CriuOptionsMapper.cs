using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Criu.Host;
using Hull.Plugins.Criu.Rpc;

namespace Hull.Plugins.Criu.Mapping;

/// <summary>A dump or pre-dump: the request type, its options, and the features CRIU must confirm first.</summary>
internal sealed record DumpPlan(criu_req_type Type, criu_opts Options, bool NeedsMemoryTracking, bool NeedsLazyPages);

/// <summary>A restore: its options, and the namespace files to open and pass to CRIU as fds 4, 5, ... in order.</summary>
internal sealed record RestorePlan(criu_opts Options, IReadOnlyList<string> InheritedNamespaceFiles);

/// <summary>
/// runc 1.1's checkpoint/restore options → criu_opts, as pure functions of the target, the request
/// and the few system facts <see cref="ICriuHost"/> gives, so every rule here is unit-tested.
/// The checkpointer only adds the fds it opens (images_dir_fd, work_dir_fd) and cg_root.
/// </summary>
internal static class CriuOptionsMapper
{
    public const string DumpLog = "dump.log";
    public const string RestoreLog = "restore.log";
    /// <summary>runc's annotation naming a CRIU configuration file ("" = none), and its default.</summary>
    public const string ConfigAnnotation = "org.criu.config";
    public const string DefaultConfigFile = "/etc/criu/runc.conf";
    /// <summary>runc's log level for CRIU: everything but debug noise.</summary>
    const int LogLevel = 4;
    const uint CloneNewNet = 0x40000000;

    /// <summary>Device nodes every container gets (as runc); they are bind mounts when the backend cannot mknod.</summary>
    static readonly string[] DefaultDevices = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"];

    public static DumpPlan ForDump(CheckpointTarget target, CheckpointRequest request, ICriuHost host)
    {
        var opts = Common(target, request, DumpLog);
        opts.Pid = target.InitPid;
        opts.Root = target.Rootfs;
        opts.LeaveRunning = request.LeaveRunning;

        foreach (var ns in target.Namespaces)
        {
            if (ns.Path is null) continue;
            if (ns.Type is "network" or "pid")
                // CRIU leaves a namespace joined by path alone when told it is external, keyed by
                // its inode; restore hands the namespace back under the same key.
                opts.External.Add($"{CriuNamespaceName(ns.Type)}[{host.NamespaceInode(ns.Path)}]:{ExternalNamespaceKey(ns.Type)}");
            else if (ns.Type == "cgroup")
                throw CannotRejoinCgroupNamespace(ns.Path);
        }

        if (FreezerCgroup(target) is { } freezer) opts.FreezeCgroup = freezer;

        if (request.PageServer is { } pageServer) opts.Ps = ParsePageServer(pageServer);

        if (request.ParentPath is { Length: > 0 } parent)
        {
            // Only the pages changed since the parent are dumped, which needs dirty-page tracking.
            opts.ParentImg = parent;
            opts.TrackMem = true;
        }

        // A pre-dump only saves memory; mounts are dumped by the final dump.
        if (!request.PreDump)
            foreach (var (mountpoint, imageKey) in DumpMounts(target, host))
                opts.ExtMnt.Add(new ext_mount_map { Key = mountpoint, Val = imageKey });

        return new DumpPlan(
            request.PreDump ? criu_req_type.PreDump : criu_req_type.Dump,
            opts,
            NeedsMemoryTracking: request.PreDump || opts.TrackMem,
            NeedsLazyPages: request.LazyPages);
    }

    public static RestorePlan ForRestore(CheckpointTarget target, RestoreRequest request, string root,
        IReadOnlyList<string> descriptors, ICriuHost host)
    {
        var opts = Common(target, request, RestoreLog);
        opts.Root = root;
        // The restored init becomes our child (as a sibling of CRIU), so hull can wait for it and
        // is its parent as for a new container.
        opts.RstSibling = true;
        // Device files may have other numbers on this host: CRIU then reopens them by path.
        opts.EvasiveDevices = true;
        if (request.LsmProfile is { Length: > 0 } profile) opts.LsmProfile = profile;
        if (request.LsmMountContext is { Length: > 0 } context) opts.LsmMountContext = context;

        var inherited = new List<string>();
        foreach (var ns in target.Namespaces)
        {
            if (ns.Path is null) continue;
            if (ns.Type is "network" or "pid")
            {
                opts.InheritFd.Add(new inherit_fd { Key = ExternalNamespaceKey(ns.Type), Fd = CriuRunner.FirstPassFd + inherited.Count });
                inherited.Add(ns.Path);
            }
            else if (ns.Type == "cgroup")
                throw CannotRejoinCgroupNamespace(ns.Path);
            else
                opts.JoinNs.Add(new join_namespace { Ns = CriuNamespaceName(ns.Type), NsFile = ns.Path });
        }

        foreach (var (imageKey, source) in RestoreMounts(target, host))
            opts.ExtMnt.Add(new ext_mount_map { Key = imageKey, Val = source });

        // The init's stdio pipes at checkpoint time are now CRIU's fds 0-2 (ours): hand them over.
        for (var fd = 0; fd < descriptors.Count; fd++)
            if (descriptors[fd].Contains("pipe:", StringComparison.Ordinal))
                opts.InheritFd.Add(new inherit_fd { Key = descriptors[fd], Fd = fd });

        return new RestorePlan(opts, inherited);
    }

    /// <summary>"4:cpu,cpuacct:/hull/x" entries of CRIU's own /proc/PID/cgroup → cg_root, so the
    /// restored tree lands in the cgroups the backend put CRIU in.</summary>
    public static IEnumerable<cgroup_root> CgroupRoots(IEnumerable<KeyValuePair<string, string>> cgroups) =>
        cgroups.Select(c => c.Key.Length == 0
            ? new cgroup_root { Path = c.Value }
            : new cgroup_root { Ctrl = c.Key, Path = c.Value });

    /// <summary>--page-server ADDRESS:PORT (ADDRESS may be [v6]).</summary>
    public static criu_page_server_info ParsePageServer(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
            throw new UsageException($"--page-server {value}: use ADDRESS:PORT, e.g. 192.0.2.1:27");
        var address = value[..colon].Trim('[', ']');
        if (!int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            throw new UsageException($"--page-server {value}: the port must be a number from 1 to 65535");
        return new criu_page_server_info { Address = address, Port = port };
    }

    /// <summary>--empty-ns names → CRIU's clone-flag mask; a new network namespace is empty by default.</summary>
    public static uint EmptyNamespaceMask(CheckpointTarget target, CriuOptions request)
    {
        uint mask = 0;
        foreach (var name in request.EmptyNamespaces)
        {
            // CRIU can only recreate an empty network namespace (left for hooks to configure).
            if (name is not ("network" or "net"))
                throw new UsageException($"--empty-ns {name}: CRIU can leave only the network namespace empty (--empty-ns network)");
            mask |= CloneNewNet;
        }
        // Hull does not manage network devices, so it could not describe them for CRIU to restore:
        // a new network namespace comes back empty (runc does the same).
        if (target.Namespaces.Any(ns => ns.Type == "network" && ns.Path is null)) mask |= CloneNewNet;
        return mask;
    }

    static criu_opts Common(CheckpointTarget target, CriuOptions request, string logFile)
    {
        var opts = new criu_opts
        {
            LogLevel = LogLevel,
            LogFile = logFile,
            ManageCgroups = true,
            ManageCgroupsMode = CgroupMode(request.ManageCgroupsMode),
            NotifyScripts = true,
            ShellJob = request.ShellJob,
            ExtUnixSk = request.ExternalUnixSockets,
            TcpEstablished = request.TcpEstablished,
            FileLocks = request.FileLocks,
            EmptyNs = EmptyNamespaceMask(target, request),
            // A container with a terminal: CRIU makes a new pty on restore and hands us its master.
            OrphanPtsMaster = true,
            AutoDedup = request.AutoDedup,
            LazyPages = request.LazyPages,
        };
        if (ConfigFile(target.Config) is { } config) opts.ConfigFile = config;
        return opts;
    }

    static criu_cg_mode CgroupMode(CgroupsMode? mode) => mode switch
    {
        null => criu_cg_mode.Default,
        CgroupsMode.Soft => criu_cg_mode.Soft,
        CgroupsMode.Full => criu_cg_mode.Full,
        CgroupsMode.Strict => criu_cg_mode.Strict,
        CgroupsMode.Ignore => criu_cg_mode.Ignore,
        _ => throw new UsageException($"--manage-cgroups-mode {mode}: use soft, full, strict or ignore"),
    };

    static string? ConfigFile(Spec config)
    {
        if (config.Annotations is { } annotations && annotations.TryGetValue(ConfigAnnotation, out var file))
            return file.Length > 0 ? file : null;
        return DefaultConfigFile;
    }

    /// <summary>cgroup v1: the freezer controller's directory; v2: the container's (unified) cgroup.</summary>
    static string? FreezerCgroup(CheckpointTarget target) =>
        target.CgroupPaths.TryGetValue("freezer", out var v1) ? v1
        : target.CgroupPaths.TryGetValue("", out var v2) ? v2
        : null;

    /// <summary>Dump: (mount point in the container, key recorded in the image).</summary>
    static IEnumerable<(string, string)> DumpMounts(CheckpointTarget target, ICriuHost host)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (destination, _) in HostMounts(target, host))
            if (seen.Add(destination)) yield return (destination, destination);
        // Masked files are /dev/null bind-mounted over the path; masked directories are tmpfs,
        // which CRIU dumps itself.
        foreach (var masked in target.Config.Linux?.MaskedPaths ?? [])
            if (seen.Add(masked) && host.IsFileInContainer(target.InitPid, masked))
                yield return (masked, "/dev/null");
    }

    /// <summary>Restore: (key recorded in the image, host path to bind there now).</summary>
    static IEnumerable<(string, string)> RestoreMounts(CheckpointTarget target, ICriuHost host)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (destination, source) in HostMounts(target, host))
            if (seen.Add(destination)) yield return (destination, source);
        if (target.Config.Linux?.MaskedPaths is { Count: > 0 } && seen.Add("/dev/null"))
            yield return ("/dev/null", "/dev/null");
    }

    /// <summary>Every mount whose source is on the host: bind mounts, the backend's extra binds, device nodes.</summary>
    static IEnumerable<(string Destination, string Source)> HostMounts(CheckpointTarget target, ICriuHost host)
    {
        foreach (var mount in target.Config.Mounts ?? [])
            if (IsBind(mount))
                yield return (host.ResolveInRootfs(target.Rootfs, mount.Destination), BindSource(target.Bundle, mount.Source ?? ""));
        foreach (var bind in target.ExtraBindMounts)
            yield return (host.ResolveInRootfs(target.Rootfs, bind.Destination), bind.Source);
        foreach (var device in DefaultDevices.Concat(target.Config.Linux?.Devices?.Select(d => d.Path) ?? []))
            yield return (host.ResolveInRootfs(target.Rootfs, device), device);
    }

    /// <summary>A mount is a bind mount by its type or its options, as runc reads the spec.</summary>
    internal static bool IsBind(Mount mount) =>
        mount.Type == "bind" || (mount.Options?.Any(o => o is "bind" or "rbind") ?? false);

    /// <summary>A relative bind source is relative to the bundle, as when the container was created.</summary>
    static string BindSource(string bundle, string source) =>
        Path.IsPathRooted(source) ? source : Path.GetFullPath(Path.Combine(bundle, source));

    static string CriuNamespaceName(string ociType) => ociType switch
    {
        "network" => "net",
        "mount" => "mnt",
        _ => ociType,
    };

    /// <summary>runc's keys ("extRootNetNS", "extRootPidNS"), so images move between runc and hull.</summary>
    static string ExternalNamespaceKey(string ociType) => ociType switch
    {
        "network" => "extRootNetNS",
        "pid" => "extRootPidNS",
        _ => throw new ArgumentOutOfRangeException(nameof(ociType), ociType, "only network and pid namespaces are external"),
    };

    static HullException CannotRejoinCgroupNamespace(string path) =>
        new($"the container joined the cgroup namespace {path}, which CRIU cannot restore into: checkpoint/restore does not support it");
}
