namespace Hull.Plugins.Linux.Rootfs;

/// <summary>mount(2) flags (MS_*) and mount_setattr(2) attributes (MOUNT_ATTR_*).</summary>
internal static class MountFlags
{
    internal const ulong RDONLY = 1, NOSUID = 2, NODEV = 4, NOEXEC = 8, SYNCHRONOUS = 16, REMOUNT = 32, MANDLOCK = 64,
        DIRSYNC = 128, NOSYMFOLLOW = 256, NOATIME = 1024, NODIRATIME = 2048, BIND = 4096, MOVE = 8192, REC = 16384,
        SILENT = 32768, POSIXACL = 1 << 16, UNBINDABLE = 1 << 17, PRIVATE = 1 << 18, SLAVE = 1 << 19, SHARED = 1 << 20,
        RELATIME = 1 << 21, I_VERSION = 1 << 23, STRICTATIME = 1 << 24, LAZYTIME = 1 << 25;

    /// <summary>The flags that are about propagation, not the mount itself.</summary>
    internal const ulong PropagationMask = PRIVATE | SLAVE | SHARED | UNBINDABLE;

    internal const ulong ATTR_RDONLY = 0x1, ATTR_NOSUID = 0x2, ATTR_NODEV = 0x4, ATTR_NOEXEC = 0x8, ATTR__ATIME = 0x70,
        ATTR_RELATIME = 0, ATTR_NOATIME = 0x10, ATTR_STRICTATIME = 0x20, ATTR_NODIRATIME = 0x80, ATTR_NOSYMFOLLOW = 0x200000;

    /// <summary>nosuid|noexec|nodev: what runc gives the tmpfs it puts under a v1 "cgroup" mount.</summary>
    internal const ulong Default = NOSUID | NOEXEC | NODEV;

    /// <summary>
    /// statfs f_flags (ST_*) → the MS_* flags a bind remount must keep: in a user namespace the
    /// kernel refuses a remount that would clear a flag locked by the mount's owner.
    /// </summary>
    internal static ulong FromStatFs(long st)
    {
        ulong flags = 0;
        if ((st & 1) != 0) flags |= RDONLY;
        if ((st & 2) != 0) flags |= NOSUID;
        if ((st & 4) != 0) flags |= NODEV;
        if ((st & 8) != 0) flags |= NOEXEC;
        if ((st & 1024) != 0) flags |= NOATIME;
        if ((st & 2048) != 0) flags |= NODIRATIME;
        if ((st & 4096) != 0) flags |= RELATIME;
        if ((st & 8192) != 0) flags |= NOSYMFOLLOW;
        return flags;
    }

    /// <summary>rootfsPropagation → flags for "/" (runc's table; "" means runc's default rslave).</summary>
    internal static ulong? RootPropagation(string? value) => value switch
    {
        null or "" => null,
        "private" => PRIVATE,
        "rprivate" => PRIVATE | REC,
        "slave" => SLAVE,
        "rslave" => SLAVE | REC,
        "shared" => SHARED,
        "rshared" => SHARED | REC,
        "unbindable" => UNBINDABLE,
        "runbindable" => UNBINDABLE | REC,
        _ => throw new Abstractions.Errors.ConfigException(
            $"rootfsPropagation \"{value}\" is not supported: use private, rprivate, slave, rslave, shared, rshared, unbindable or runbindable",
            "linux.rootfsPropagation"),
    };
}

/// <summary>A mount_setattr change (applied recursively for the r* options such as "rro").</summary>
internal readonly record struct MountAttributes(ulong Set, ulong Clear)
{
    public bool IsEmpty => Set == 0 && Clear == 0;
}

/// <summary>One config mount's options, split the way the kernel wants them.</summary>
internal sealed record ParsedMountOptions(
    ulong Flags,
    IReadOnlyList<ulong> Propagation,
    string Data,
    MountAttributes Recursive,
    bool CopyUp)
{
    public bool IsBind => (Flags & MountFlags.BIND) != 0;
}

/// <summary>
/// runc's option parser: known names become MS_* flags (set or cleared), propagation names
/// become separate propagation calls, r* names become recursive mount_setattr attributes,
/// tmpcopyup is an extension, and everything else is filesystem data ("mode=755", "size=64k").
/// </summary>
internal static class MountOptions
{
    static readonly Dictionary<string, (bool Clear, ulong Flag)> Flags = new(StringComparer.Ordinal)
    {
        ["acl"] = (false, MountFlags.POSIXACL),
        ["async"] = (true, MountFlags.SYNCHRONOUS),
        ["atime"] = (true, MountFlags.NOATIME),
        ["bind"] = (false, MountFlags.BIND),
        ["defaults"] = (false, 0),
        ["dev"] = (true, MountFlags.NODEV),
        ["diratime"] = (true, MountFlags.NODIRATIME),
        ["dirsync"] = (false, MountFlags.DIRSYNC),
        ["exec"] = (true, MountFlags.NOEXEC),
        ["iversion"] = (false, MountFlags.I_VERSION),
        ["lazytime"] = (false, MountFlags.LAZYTIME),
        ["loud"] = (true, MountFlags.SILENT),
        ["mand"] = (false, MountFlags.MANDLOCK),
        ["noacl"] = (true, MountFlags.POSIXACL),
        ["noatime"] = (false, MountFlags.NOATIME),
        ["nodev"] = (false, MountFlags.NODEV),
        ["nodiratime"] = (false, MountFlags.NODIRATIME),
        ["noexec"] = (false, MountFlags.NOEXEC),
        ["noiversion"] = (true, MountFlags.I_VERSION),
        ["nolazytime"] = (true, MountFlags.LAZYTIME),
        ["nomand"] = (true, MountFlags.MANDLOCK),
        ["norelatime"] = (true, MountFlags.RELATIME),
        ["nostrictatime"] = (true, MountFlags.STRICTATIME),
        ["nosuid"] = (false, MountFlags.NOSUID),
        ["nosymfollow"] = (false, MountFlags.NOSYMFOLLOW),
        ["rbind"] = (false, MountFlags.BIND | MountFlags.REC),
        ["relatime"] = (false, MountFlags.RELATIME),
        ["remount"] = (false, MountFlags.REMOUNT),
        ["ro"] = (false, MountFlags.RDONLY),
        ["rw"] = (true, MountFlags.RDONLY),
        ["silent"] = (false, MountFlags.SILENT),
        ["strictatime"] = (false, MountFlags.STRICTATIME),
        ["suid"] = (true, MountFlags.NOSUID),
        ["symfollow"] = (true, MountFlags.NOSYMFOLLOW),
        ["sync"] = (false, MountFlags.SYNCHRONOUS),
    };

    static readonly Dictionary<string, ulong> Propagation = new(StringComparer.Ordinal)
    {
        ["private"] = MountFlags.PRIVATE,
        ["shared"] = MountFlags.SHARED,
        ["slave"] = MountFlags.SLAVE,
        ["unbindable"] = MountFlags.UNBINDABLE,
        ["rprivate"] = MountFlags.PRIVATE | MountFlags.REC,
        ["rshared"] = MountFlags.SHARED | MountFlags.REC,
        ["rslave"] = MountFlags.SLAVE | MountFlags.REC,
        ["runbindable"] = MountFlags.UNBINDABLE | MountFlags.REC,
    };

    static readonly Dictionary<string, (bool Clear, ulong Attr)> RecursiveAttributes = new(StringComparer.Ordinal)
    {
        ["rro"] = (false, MountFlags.ATTR_RDONLY),
        ["rrw"] = (true, MountFlags.ATTR_RDONLY),
        ["rnosuid"] = (false, MountFlags.ATTR_NOSUID),
        ["rsuid"] = (true, MountFlags.ATTR_NOSUID),
        ["rnodev"] = (false, MountFlags.ATTR_NODEV),
        ["rdev"] = (true, MountFlags.ATTR_NODEV),
        ["rnoexec"] = (false, MountFlags.ATTR_NOEXEC),
        ["rexec"] = (true, MountFlags.ATTR_NOEXEC),
        ["rnodiratime"] = (false, MountFlags.ATTR_NODIRATIME),
        ["rdiratime"] = (true, MountFlags.ATTR_NODIRATIME),
        ["rrelatime"] = (false, MountFlags.ATTR_RELATIME),
        ["rnorelatime"] = (true, MountFlags.ATTR_RELATIME),
        ["rnoatime"] = (false, MountFlags.ATTR_NOATIME),
        ["ratime"] = (true, MountFlags.ATTR_NOATIME),
        ["rstrictatime"] = (false, MountFlags.ATTR_STRICTATIME),
        ["rnostrictatime"] = (true, MountFlags.ATTR_STRICTATIME),
        ["rnosymfollow"] = (false, MountFlags.ATTR_NOSYMFOLLOW),
        ["rsymfollow"] = (true, MountFlags.ATTR_NOSYMFOLLOW),
    };

    internal static ParsedMountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0, set = 0, clear = 0;
        var propagation = new List<ulong>();
        var data = new List<string>();
        var copyUp = false;
        foreach (var o in options ?? [])
        {
            if (Flags.TryGetValue(o, out var f))
            {
                if (f.Clear) flags &= ~f.Flag;
                else flags |= f.Flag;
            }
            else if (Propagation.TryGetValue(o, out var p))
            {
                propagation.Add(p);
            }
            else if (RecursiveAttributes.TryGetValue(o, out var a))
            {
                if (a.Clear)
                {
                    clear |= a.Attr;
                }
                else
                {
                    set |= a.Attr;
                    clear &= ~a.Attr;
                    // mount_setattr(2): an atime mode is only changed with MOUNT_ATTR__ATIME in attr_clr.
                    if ((a.Attr & MountFlags.ATTR__ATIME) == a.Attr) clear |= MountFlags.ATTR__ATIME;
                }
            }
            else if (o == "tmpcopyup")
            {
                copyUp = true;
            }
            else
            {
                data.Add(o);
            }
        }
        return new ParsedMountOptions(flags, propagation, string.Join(',', data), new MountAttributes(set, clear), copyUp);
    }
}
