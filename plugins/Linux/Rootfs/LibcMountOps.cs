using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using Microsoft.Win32.SafeHandles;
using static Hull.Plugins.Linux.Interop.Libc.Fs;

namespace Hull.Plugins.Linux.Rootfs;

/// <summary>
/// The real <see cref="IMountOps"/>. Every container path is resolved inside the rootfs with
/// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) — so a symlink or ".." in the image can never
/// lead outside it — and every mount goes through /proc/self/fd/N of the O_PATH fd that
/// resolution returned, so nothing is looked up twice by name. After a mount, the new mount is
/// reached again through the target's symlink-free real path with RESOLVE_NO_SYMLINKS: if
/// anything was swapped in meanwhile, that fails instead of following it.
/// </summary>
internal sealed class LibcMountOps : IMountOps, IDisposable
{
    const ulong InRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const int MaxSymlinks = 40;

    SafeFileHandle? root;
    /// <summary>The rootfs's real host path (what /proc/self/fd/N of anything inside it starts with).</summary>
    string rootReal = "";
    SafeFileHandle? devNull;

    /// <summary>The rootfs root, once <see cref="BindRootfs"/> has run.</summary>
    SafeFileHandle Root => root ?? throw new InvalidOperationException("the rootfs is not bound yet");

    public void SetRootPropagation(ulong flags) =>
        Check(mount(null, "/", null, flags, null), "setting the propagation of /");

    public void MakeParentMountPrivate(string rootfs)
    {
        var parent = MountInfo.MountOf(MountInfo.Parse(Libc.Fs.ReadText("/proc/thread-self/mountinfo")), rootfs);
        if (parent is { IsShared: true })
            Check(mount(null, parent.Mountpoint, null, MountFlags.PRIVATE, null), $"making {parent.Mountpoint} (the mount holding the rootfs) private");
    }

    public void BindRootfs(string rootfs)
    {
        Check(mount(rootfs, rootfs, null, MountFlags.BIND | MountFlags.REC, null), $"binding the rootfs {rootfs} onto itself");
        UseRoot(rootfs);
    }

    /// <summary>Resolves every later container path inside <paramref name="rootfs"/> (opened after
    /// the bind, so it is the bind's root). Tests use it alone, without the mount.</summary>
    internal void UseRoot(string rootfs)
    {
        root?.Dispose();
        root = Libc.Fs.Open(AT_FDCWD, rootfs, O_PATH | O_DIRECTORY, 0, $"opening the rootfs {rootfs}");
        rootReal = ReadLink(AT_FDCWD, ProcFdPath(root), "reading the rootfs path");
    }

    public void Mount(MountStep step)
    {
        var kind = step.Target;
        if (kind == MountTarget.LikeSource)
        {
            var source = step.Source ?? "";
            if (!Path.Exists(source))
                throw new HullException($"mount source {source} for {step.Destination} does not exist: {SyscallException.Describe(SyscallException.ENOENT)}");
            kind = Directory.Exists(source) ? MountTarget.Directory : MountTarget.File;
        }
        using var target = Resolve(step.Destination, kind, step.NoSymlinks);
        var real = RealPathOf(target, step.Destination);
        var rc = mount(step.Source, ProcFdPath(target), step.FsType is null or "" ? null : step.FsType, step.Flags, step.Data);
        if (rc != 0)
        {
            var e = SyscallException.FromLastError(Describe(step));
            if (step.WhenRefused is { } fallback && e.Errno is SyscallException.EPERM or SyscallException.EBUSY)
            {
                Mount(fallback);
                return;
            }
            throw e;
        }
        if (step.RemountFlags is null && step.Propagation.Count == 0 && step.Recursive.IsEmpty && !step.CopyUp) return;
        using var mounted = ReopenMounted(real, step.Destination);
        if (step.CopyUp) CopyUp(target, mounted, step.Destination);
        if (step.RemountFlags is { } flags) RemountFd(mounted, flags, step.Destination);
        foreach (var p in step.Propagation)
            Check(mount(null, ProcFdPath(mounted), null, p, null), $"setting the propagation of {step.Destination}");
        if (!step.Recursive.IsEmpty)
            Check(mount_setattr(Fd(mounted), "", (uint)(AT_EMPTY_PATH | AT_RECURSIVE),
                new MountAttr { AttrSet = step.Recursive.Set, AttrClr = step.Recursive.Clear }),
                $"setting recursive mount attributes on {step.Destination}");
    }

    public void Remount(string destination, ulong flags)
    {
        using var mounted = Resolve(destination, null, noSymlinks: false);
        RemountFd(mounted, flags, destination);
    }

    public void MakeDevice(DeviceStep step)
    {
        var (dir, name) = Split(step.Path);
        using var parent = Resolve(dir, MountTarget.Directory, noSymlinks: true);
        if (Exists(parent, name, out var st))
        {
            // A node the image already has is kept, as runc does; a symlink is never followed
            // (a /dev/null pointing at a host file would turn every later use of it into a write there).
            if ((st.Mode & S_IFMT) == S_IFLNK)
                throw new HullException($"{step.Path} in the rootfs is a symlink: refusing to use it as a device node; remove it from the image");
            return;
        }
        if (!step.Bind)
        {
            var type = step.Type switch { 'b' => S_IFBLK, 'p' => S_IFIFO, _ => S_IFCHR };
            var old = umask(0);
            var rc = mknodat(Fd(parent), name, type | step.Mode, MakeDev((ulong)step.Major, (ulong)step.Minor));
            umask(old);
            if (rc == 0)
            {
                Check(fchownat(Fd(parent), name, step.Uid, step.Gid, AT_SYMLINK_NOFOLLOW), $"chown {step.Path}");
                return;
            }
            var e = SyscallException.FromLastError($"mknod {step.Path}");
            if (e.Errno != SyscallException.EPERM) throw e;
        }
        // Where mknod is not allowed, bind the host's node (runc's bindMountDeviceNode).
        Libc.Fs.Open(Fd(parent), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, $"creating {step.Path}").Dispose();
        using var node = Libc.Fs.Open(Fd(parent), name, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, $"opening {step.Path}");
        Check(mount(step.Path, ProcFdPath(node), null, MountFlags.BIND, null), $"binding the host's {step.Path} into the container");
    }

    public void Symlink(SymlinkStep step)
    {
        var (dir, name) = Split(step.Link);
        using var parent = Resolve(dir, MountTarget.Directory, noSymlinks: true);
        if (step.Replace && unlinkat(Fd(parent), name, 0) != 0)
        {
            var e = SyscallException.FromLastError($"removing {step.Link}");
            if (e.Errno != SyscallException.ENOENT) throw e;
        }
        if (symlinkat(step.Target, Fd(parent), name) != 0)
        {
            var e = SyscallException.FromLastError($"symlink {step.Link} -> {step.Target}");
            if (e.Errno != SyscallException.EEXIST || step.Replace) throw e;
        }
    }

    public void MakeDirectory(string path) => Resolve(path, MountTarget.Directory, noSymlinks: false).Dispose();

    public void MakeReadonly(string path)
    {
        using var target = TryOpen(path);
        if (target is null) return;
        var real = RealPathOf(target, path);
        var fd = ProcFdPath(target);
        Check(mount(fd, fd, null, MountFlags.BIND | MountFlags.REC, null), $"binding {path} onto itself");
        using var mounted = ReopenMounted(real, path);
        var keep = MountFlags.FromStatFs(StatFileSystem(mounted, $"statfs {path}").Flags) & (MountFlags.NOSUID | MountFlags.NODEV | MountFlags.NOEXEC);
        Check(mount(null, ProcFdPath(mounted), null, MountFlags.BIND | MountFlags.REMOUNT | MountFlags.RDONLY | keep, null),
            $"remounting {path} read-only");
    }

    public void Mask(string path)
    {
        using var target = TryOpen(path);
        if (target is null) return;
        var st = Stat(Fd(target), "", $"stat {path}");
        if ((st.Mode & S_IFMT) == S_IFDIR)
        {
            Check(mount("tmpfs", ProcFdPath(target), "tmpfs", MountFlags.RDONLY, null), $"masking {path} with an empty tmpfs");
            return;
        }
        Check(mount(ProcFdPath(DevNull), ProcFdPath(target), null, MountFlags.BIND, null), $"masking {path} with /dev/null");
    }

    public void BindConsole(int slaveFd)
    {
        using var dev = Resolve("/dev", MountTarget.Directory, noSymlinks: true);
        if (Exists(dev, "console", out var st) && (st.Mode & S_IFMT) == S_IFLNK)
            throw new HullException("/dev/console in the rootfs is a symlink: refusing to bind the terminal onto it");
        var created = openat2(Fd(dev), "console", (ulong)(O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC), 0, RESOLVE_NO_SYMLINKS);
        if (created < 0) throw SyscallException.FromLastError("creating /dev/console");
        new SafeFileHandle(created, ownsHandle: true).Dispose();
        using var console = Libc.Fs.Open(Fd(dev), "console", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, "opening /dev/console");
        Check(mount($"/proc/self/fd/{slaveFd}", ProcFdPath(console), null, MountFlags.BIND, null), "binding the terminal onto /dev/console");
    }

    public void PivotRoot()
    {
        using var oldRoot = Libc.Fs.Open(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0, "opening the old root");
        Check(fchdir(Fd(Root)), "chdir to the rootfs");
        // pivot_root(".", ".") stacks the old root on top of the new one at "/"; detaching it from
        // there leaves only the rootfs, with no directory to spare inside it.
        Check(Libc.Fs.pivot_root(".", "."), "pivot_root");
        Check(fchdir(Fd(oldRoot)), "chdir to the old root");
        // The unmount must not propagate back to the host.
        Check(mount(null, ".", null, MountFlags.SLAVE | MountFlags.REC, null), "making the old root a slave");
        Check(umount2(".", MNT_DETACH), "detaching the old root");
        Check(fchdir(Fd(Root)), "chdir to /");
    }

    public void MoveRoot()
    {
        // chroot leaves the host's procfs and sysfs reachable in this mount namespace, and the
        // kernel checks whether procfs may be mounted against all of them: detach (or cover) every
        // full procfs/sysfs mount outside the rootfs first, as runc does.
        foreach (var m in MountInfo.Parse(Libc.Fs.ReadText("/proc/thread-self/mountinfo")))
        {
            if (m.FsType is not ("proc" or "sysfs") || m.Root != "/" || MountInfo.IsAtOrUnder(m.Mountpoint, rootReal)) continue;
            if (mount(null, m.Mountpoint, null, MountFlags.SLAVE | MountFlags.REC, null) != 0)
            {
                var e = SyscallException.FromLastError($"making {m.Mountpoint} a slave");
                if (e.Errno == SyscallException.ENOENT) continue;
                throw e;
            }
            if (umount2(m.Mountpoint, MNT_DETACH) != 0)
            {
                var e = SyscallException.FromLastError($"unmounting {m.Mountpoint}");
                if (e.Errno is not (SyscallException.EINVAL or SyscallException.EPERM)) throw e;
                Check(mount("tmpfs", m.Mountpoint, "tmpfs", 0, null), $"covering {m.Mountpoint}");
            }
        }
        Check(fchdir(Fd(Root)), "chdir to the rootfs");
        Check(mount(rootReal, "/", null, MountFlags.MOVE, null), "moving the rootfs to /");
        Check(Libc.Fs.chroot("."), "chroot to the rootfs");
        Check(fchdir(Fd(Root)), "chdir to /");
    }

    public void Dispose()
    {
        root?.Dispose();
        devNull?.Dispose();
    }

    /// <summary>
    /// The null device masks are made from: the container's /dev/null, as runc uses (so /proc/mounts
    /// shows the container's /dev), reached with no symlink on the way and checked to be the
    /// character device 1:3 — never whatever an image put there (CVE-2025-31133). Without one, the
    /// host's, checked the same way.
    /// </summary>
    SafeFileHandle DevNull
    {
        get
        {
            if (devNull is not null) return devNull;
            SafeFileHandle? fd = null;
            try
            {
                fd = Resolve("/dev/null", null, noSymlinks: true);
            }
            catch (SyscallException e) when (e.Errno == SyscallException.ENOENT)
            {
                fd = Libc.Fs.Open(AT_FDCWD, "/dev/null", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, "opening the host's /dev/null");
            }
            var st = Stat(Fd(fd), "", "stat /dev/null");
            if ((st.Mode & S_IFMT) != S_IFCHR || st.RdevMajor != 1 || st.RdevMinor != 3)
            {
                fd.Dispose();
                throw new HullException("/dev/null is not the null device (character device 1:3): refusing to mask paths with it");
            }
            return devNull = fd;
        }
    }

    /// <summary>
    /// Resolves <paramref name="path"/> inside the rootfs and returns an O_PATH fd to it, creating
    /// what is missing when <paramref name="create"/> says what (directories on the way, then the
    /// last component). Existing parts are resolved by the kernel (RESOLVE_IN_ROOT); a missing
    /// component that is a dangling symlink is followed inside the root, as runc's securejoin does.
    /// With <paramref name="noSymlinks"/>, any symlink on the way is refused instead.
    /// </summary>
    internal SafeFileHandle Resolve(string path, MountTarget? create, bool noSymlinks)
    {
        var hops = 0;
        while (true)
        {
            var rc = OpenInRoot(path, noSymlinks);
            if (rc >= 0) return new SafeFileHandle(rc, ownsHandle: true);
            var e = SyscallException.FromLastError($"resolving {path} in the rootfs");
            if (e.Errno == SyscallException.ELOOP && noSymlinks)
                throw new HullException($"{path} in the rootfs goes through a symlink: refusing to follow it (procfs, sysfs and /dev targets must be real directories)");
            if (e.Errno != SyscallException.ENOENT || create is null) throw e;

            var (dir, name) = Split(path);
            using var parent = Resolve(dir, MountTarget.Directory, noSymlinks);
            if (Exists(parent, name, out var st) && (st.Mode & S_IFMT) == S_IFLNK)
            {
                if (noSymlinks) throw new HullException($"{path} in the rootfs is a symlink: refusing to follow it");
                if (++hops > MaxSymlinks) throw new SyscallException($"resolving {path} in the rootfs", SyscallException.ELOOP);
                // A dangling link: create what it points to, inside the root.
                var link = ReadLink(Fd(parent), name, $"readlink {path}");
                path = RootfsPlanner.Clean(link.StartsWith('/') ? link : RealPathOf(parent, dir) + "/" + link);
                continue;
            }
            var last = create == MountTarget.File ? MountTarget.File : MountTarget.Directory;
            if (last == MountTarget.Directory)
            {
                if (mkdirat(Fd(parent), name, 0x1ed /* 0755 */) != 0 && LastErrno != SyscallException.EEXIST)
                    throw SyscallException.FromLastError($"mkdir {path} in the rootfs");
            }
            else
            {
                var fd = openat2(Fd(parent), name, (ulong)(O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC), 0x1ed, RESOLVE_NO_SYMLINKS);
                if (fd < 0 && LastErrno != SyscallException.EEXIST)
                    throw SyscallException.FromLastError($"creating {path} in the rootfs");
                if (fd >= 0) new SafeFileHandle(fd, ownsHandle: true).Dispose();
            }
            // Created (or raced into existence): resolve it like any existing path.
            create = null;
        }
    }

    SafeFileHandle? TryOpen(string path)
    {
        // Asked without an exception: a default config's masked and read-only paths are often
        // absent from the kernel's procfs, and each throw costs tens of µs on the init's path.
        var rc = OpenInRoot(path, noSymlinks: false);
        if (rc >= 0) return new SafeFileHandle(rc, ownsHandle: true);
        return LastErrno == SyscallException.ENOENT ? null : throw SyscallException.FromLastError($"resolving {path} in the rootfs");
    }

    /// <summary>An O_PATH fd of <paramref name="path"/> resolved inside the rootfs, or -1 (errno set).</summary>
    int OpenInRoot(string path, bool noSymlinks) =>
        openat2(Fd(Root), Relative(path), (ulong)(O_PATH | O_CLOEXEC), 0, InRoot | (noSymlinks ? RESOLVE_NO_SYMLINKS : 0));

    /// <summary>The new mount on <paramref name="realPath"/>: its path has no symlinks, so it is
    /// walked with RESOLVE_NO_SYMLINKS and crosses into the mount just made.</summary>
    SafeFileHandle ReopenMounted(string realPath, string destination) =>
        Libc.Fs.Open(Fd(Root), Relative(realPath), O_PATH, InRoot | RESOLVE_NO_SYMLINKS, $"reopening {destination} after mounting it");

    /// <summary>Where an fd inside the rootfs really is, as a container path. Anything outside the
    /// rootfs here would mean resolution escaped: refuse.</summary>
    string RealPathOf(SafeFileHandle fd, string what)
    {
        var real = ReadLink(AT_FDCWD, ProcFdPath(fd), $"reading where {what} resolved to");
        if (real == rootReal) return "/";
        if (real.StartsWith(rootReal + "/", StringComparison.Ordinal)) return real[rootReal.Length..];
        throw new HullException($"{what} resolved to {real}, outside the rootfs {rootReal}: refusing to use it");
    }

    /// <summary>
    /// A bind remount; if the kernel refuses (EPERM: a user namespace may not clear flags locked by
    /// the mount's owner), again keeping the mount's current nosuid/nodev/noexec/atime flags.
    /// EBUSY is retried a few times, as runc does.
    /// </summary>
    static void RemountFd(SafeFileHandle mounted, ulong flags, string destination)
    {
        flags |= MountFlags.BIND | MountFlags.REMOUNT;
        for (var attempt = 0; ; attempt++)
        {
            if (mount(null, ProcFdPath(mounted), null, flags, null) == 0) return;
            var e = SyscallException.FromLastError($"remounting {destination} ({DescribeFlags(flags)})");
            if (e.Errno == SyscallException.EBUSY && attempt < 5)
            {
                Thread.Sleep(100);
                continue;
            }
            if (e.Errno != SyscallException.EPERM) throw e;
            var locked = MountFlags.FromStatFs(StatFileSystem(mounted, $"statfs {destination}").Flags);
            if ((flags | locked) == flags) throw e;
            flags |= locked;
        }
    }

    /// <summary>
    /// tmpcopyup: copies what the tmpfs now covers into it. The old content is reached only through
    /// the fd of the covered directory, every entry is opened beneath it with no symlink followed
    /// (links are copied as links), so nothing outside the rootfs can be read into it.
    /// </summary>
    static void CopyUp(SafeFileHandle covered, SafeFileHandle mounted, string destination)
    {
        try
        {
            CopyTree(covered, mounted, destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HullException($"tmpcopyup of {destination}: {e.Message}");
        }
    }

    static void CopyTree(SafeFileHandle from, SafeFileHandle to, string where)
    {
        const ulong Beneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        foreach (var name in new DirectoryInfo(ProcFdPath(from)).EnumerateFileSystemInfos().Select(e => e.Name))
        {
            var path = where + "/" + name;
            var st = Stat(Fd(from), name, $"stat {path}");
            var mode = (uint)st.Mode & 0xfff;
            switch (st.Mode & S_IFMT)
            {
                case S_IFLNK:
                    Check(symlinkat(ReadLink(Fd(from), name, $"readlink {path}"), Fd(to), name), $"copying the link {path}");
                    break;
                case S_IFDIR:
                    Check(mkdirat(Fd(to), name, mode), $"mkdir {path}");
                    using (var sub = Libc.Fs.Open(Fd(from), name, O_PATH | O_DIRECTORY, Beneath, $"opening {path}"))
                    using (var copy = Libc.Fs.Open(Fd(to), name, O_PATH | O_DIRECTORY, Beneath, $"opening the copy of {path}"))
                        CopyTree(sub, copy, path);
                    break;
                case S_IFREG:
                    using (var src = new FileStream(Libc.Fs.Open(Fd(from), name, O_RDONLY | O_NOFOLLOW, Beneath, $"opening {path}"), FileAccess.Read))
                    using (var dst = new FileStream(Libc.Fs.Open(Fd(to), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, Beneath, $"creating the copy of {path}", mode), FileAccess.Write))
                        src.CopyTo(dst);
                    break;
                // Device nodes, fifos and sockets are not copied: a tmpfs is for files.
            }
        }
    }

    static bool Exists(SafeFileHandle dir, string name, out Statx st)
    {
        var errno = TryStat(Fd(dir), name, out st);
        return errno switch
        {
            0 => true,
            SyscallException.ENOENT => false,
            _ => throw new SyscallException($"stat {name}", errno),
        };
    }

    static (string Dir, string Name) Split(string path)
    {
        var clean = RootfsPlanner.Clean(path);
        var slash = clean.LastIndexOf('/');
        return (slash == 0 ? "/" : clean[..slash], clean[(slash + 1)..]);
    }

    /// <summary>openat2 relative to the root fd wants a relative path ("." for the root itself).</summary>
    static string Relative(string path)
    {
        var clean = RootfsPlanner.Clean(path);
        return clean == "/" ? "." : clean[1..];
    }

    static string Describe(MountStep step) =>
        $"mounting {step.Source ?? "none"} on {step.Destination} ({(string.IsNullOrEmpty(step.FsType) ? "bind" : step.FsType)}"
        + $"{(step.Data is null ? "" : ", " + step.Data)}{(step.Flags == 0 ? "" : ", " + DescribeFlags(step.Flags))})";

    static string DescribeFlags(ulong flags)
    {
        var names = new List<string>();
        foreach (var (flag, name) in FlagNames)
            if ((flags & flag) != 0) names.Add(name);
        return string.Join('|', names);
    }

    static readonly (ulong, string)[] FlagNames =
    [
        (MountFlags.RDONLY, "ro"), (MountFlags.NOSUID, "nosuid"), (MountFlags.NODEV, "nodev"), (MountFlags.NOEXEC, "noexec"),
        (MountFlags.REMOUNT, "remount"), (MountFlags.BIND, "bind"), (MountFlags.REC, "rec"), (MountFlags.NOATIME, "noatime"),
        (MountFlags.RELATIME, "relatime"), (MountFlags.STRICTATIME, "strictatime"), (MountFlags.PRIVATE, "private"),
        (MountFlags.SLAVE, "slave"), (MountFlags.SHARED, "shared"), (MountFlags.UNBINDABLE, "unbindable"),
    ];

    static int LastErrno => System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
}
