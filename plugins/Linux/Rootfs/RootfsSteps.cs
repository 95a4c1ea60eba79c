namespace Hull.Plugins.Linux.Rootfs;

/// <summary>
/// The syscall seam of the rootfs work. Every container path is resolved by the implementation
/// inside the rootfs (never leaving it), and acted on through the fd it resolved to; the real one
/// is <see cref="LibcMountOps"/>, tests use a recorder.
/// </summary>
internal interface IMountOps
{
    /// <summary>mount("", "/", flags): the propagation of the whole mount namespace (or of the new root after pivot).</summary>
    void SetRootPropagation(ulong flags);

    /// <summary>Makes the mount holding the rootfs private if it is shared (pivot_root refuses a shared parent,
    /// and the bind of the rootfs must not propagate to the host).</summary>
    void MakeParentMountPrivate(string rootfs);

    /// <summary>Binds the rootfs onto itself (recursively) and makes it the root that every later path resolves in.</summary>
    void BindRootfs(string rootfs);

    void Mount(MountStep step);

    /// <summary>MS_BIND|MS_REMOUNT the mount at <paramref name="destination"/> with <paramref name="flags"/>,
    /// keeping flags the kernel will not let a user namespace clear.</summary>
    void Remount(string destination, ulong flags);

    void MakeDevice(DeviceStep step);

    void Symlink(SymlinkStep step);

    void MakeDirectory(string path);

    /// <summary>Bind-mounts the path onto itself read-only (runc's readonlyPaths); a missing path is skipped.</summary>
    void MakeReadonly(string path);

    /// <summary>/dev/null over a file, an empty read-only tmpfs over a directory; a missing path is skipped.</summary>
    void Mask(string path);

    /// <summary>Binds the pty slave <paramref name="slaveFd"/> onto /dev/console (created as an empty file if missing).</summary>
    void BindConsole(int slaveFd);

    /// <summary>pivot_root into the rootfs and detach the old root.</summary>
    void PivotRoot();

    /// <summary>--no-pivot: hide the host's procfs and sysfs mounts, MS_MOVE the rootfs to "/" and chroot.</summary>
    void MoveRoot();
}

/// <summary>One step of the rootfs plan, in order; each knows which seam call it is.</summary>
internal abstract record RootfsStep
{
    internal abstract void ApplyTo(IMountOps ops);
}

internal sealed record RootPropagationStep(ulong Flags) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.SetRootPropagation(Flags);
}

internal sealed record ParentPrivateStep(string Rootfs) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.MakeParentMountPrivate(Rootfs);
}

internal sealed record BindRootfsStep(string Rootfs) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.BindRootfs(Rootfs);
}

/// <summary>What must exist at a mount's destination before mounting.</summary>
internal enum MountTarget
{
    Directory,
    File,
    /// <summary>A bind: a directory if the source is one, else an empty file.</summary>
    LikeSource,
}

/// <summary>One mount inside the rootfs and what follows it on the same mount.</summary>
internal sealed record MountStep : RootfsStep
{
    /// <summary>A clean absolute path inside the container.</summary>
    public required string Destination { get; init; }
    /// <summary>The host path for a bind, else the filesystem's source name ("proc", "tmpfs").</summary>
    public string? Source { get; init; }
    /// <summary>The filesystem type; null for a bind.</summary>
    public string? FsType { get; init; }
    public ulong Flags { get; init; }
    public string? Data { get; init; }
    public MountTarget Target { get; init; } = MountTarget.Directory;
    /// <summary>A bind's other flags (ro, nosuid...) only take effect through a remount with these.</summary>
    public ulong? RemountFlags { get; init; }
    /// <summary>Propagation changes applied to the new mount, in order.</summary>
    public IReadOnlyList<ulong> Propagation { get; init; } = [];
    /// <summary>r* options (rro, rnosuid...): applied recursively with mount_setattr.</summary>
    public MountAttributes Recursive { get; init; }
    /// <summary>No symlink anywhere on the way (procfs, sysfs and /dev targets): refused rather than followed.</summary>
    public bool NoSymlinks { get; init; }
    /// <summary>Tried instead when the kernel refuses this mount with EPERM or EBUSY (cgroup2 without a cgroup namespace).</summary>
    public MountStep? WhenRefused { get; init; }
    /// <summary>tmpcopyup: the destination's previous content is copied into the new tmpfs.</summary>
    public bool CopyUp { get; init; }

    internal override void ApplyTo(IMountOps ops) => ops.Mount(this);
}

internal sealed record RemountStep(string Destination, ulong Flags) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.Remount(Destination, Flags);
}

/// <summary>A device node: mknod, or a bind of the host's node where mknod is not allowed (user namespaces).</summary>
internal sealed record DeviceStep(string Path, char Type, long Major, long Minor, uint Mode, uint Uid, uint Gid, bool Bind) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.MakeDevice(this);
}

/// <summary>A symlink at <see cref="Link"/> (inside the container) pointing to <see cref="Target"/>.
/// An existing entry is replaced when <see cref="Replace"/>, else kept.</summary>
internal sealed record SymlinkStep(string Target, string Link, bool Replace = false) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.Symlink(this);
}

internal sealed record DirectoryStep(string Path) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.MakeDirectory(Path);
}

internal sealed record ReadonlyPathStep(string Path) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.MakeReadonly(Path);
}

internal sealed record MaskPathStep(string Path) : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.Mask(Path);
}

internal sealed record PivotRootStep : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.PivotRoot();
}

internal sealed record MoveRootStep : RootfsStep
{
    internal override void ApplyTo(IMountOps ops) => ops.MoveRoot();
}
