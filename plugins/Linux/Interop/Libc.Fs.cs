using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hull.Plugins.Linux.Interop;

// Files and mounts: what State/ and Rootfs/ need from libc. Kept in a nested class so these
// declarations never collide with the process-side partial files of Libc.
internal static unsafe partial class Libc
{
    internal static unsafe partial class Fs
    {
        const string Lib = "libc";

        internal const int AT_FDCWD = -100;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;

        internal const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100,
            O_TRUNC = 0x200, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
        // The only open flags whose values differ between x86-64 and arm64.
        internal static readonly int O_DIRECTORY = IsArm64 ? 0x4000 : 0x10000;
        internal static readonly int O_NOFOLLOW = IsArm64 ? 0x8000 : 0x20000;

        internal const ulong RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;

        internal const int LOCK_EX = 2, LOCK_NB = 4;
        internal const int MNT_DETACH = 2;
        internal const uint RENAME_NOREPLACE = 1;

        internal const uint S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000, S_IFBLK = 0x6000,
            S_IFREG = 0x8000, S_IFLNK = 0xA000;

        internal const long PROC_SUPER_MAGIC = 0x9fa0;
        internal const uint STATX_BASIC_STATS = 0x7ff;

        static bool IsArm64 => RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

        // glibc has no wrappers for these; the numbers are the same on x86-64 and arm64 (the
        // unified table) except pivot_root.
        const long SYS_openat2 = 437, SYS_mount_setattr = 442;
        static long SYS_pivot_root => IsArm64 ? 41 : 155;

        [StructLayout(LayoutKind.Sequential)]
        internal struct OpenHow
        {
            public ulong Flags;
            public ulong Mode;
            public ulong Resolve;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct MountAttr
        {
            public ulong AttrSet;
            public ulong AttrClr;
            public ulong Propagation;
            public ulong UsernsFd;
        }

        /// <summary>struct statx (the same layout on every architecture).</summary>
        [StructLayout(LayoutKind.Explicit, Size = 256)]
        internal struct Statx
        {
            [FieldOffset(0)] public uint Mask;
            [FieldOffset(16)] public uint Nlink;
            [FieldOffset(20)] public uint Uid;
            [FieldOffset(24)] public uint Gid;
            [FieldOffset(28)] public ushort Mode;
            [FieldOffset(32)] public ulong Ino;
            [FieldOffset(128)] public uint RdevMajor;
            [FieldOffset(132)] public uint RdevMinor;
            [FieldOffset(136)] public uint DevMajor;
            [FieldOffset(140)] public uint DevMinor;
        }

        /// <summary>struct statfs on 64-bit Linux (x86-64 and arm64 agree).</summary>
        [StructLayout(LayoutKind.Explicit, Size = 120)]
        internal struct StatFs
        {
            [FieldOffset(0)] public long Type;
            [FieldOffset(80)] public long Flags;
        }

        [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial long syscall_openat2(long number, int dirfd, string path, OpenHow* how, nuint size);

        internal static int openat2(int dirfd, string path, ulong flags, ulong mode, ulong resolve)
        {
            var how = new OpenHow { Flags = flags, Mode = mode, Resolve = resolve };
            return (int)syscall_openat2(SYS_openat2, dirfd, path, &how, (nuint)sizeof(OpenHow));
        }

        [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial long syscall_mount_setattr(long number, int dirfd, string path, uint flags, MountAttr* attr, nuint size);

        internal static int mount_setattr(int dirfd, string path, uint flags, MountAttr attr) =>
            (int)syscall_mount_setattr(SYS_mount_setattr, dirfd, path, flags, &attr, (nuint)sizeof(MountAttr));

        [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial long syscall_pivot_root(long number, string newRoot, string putOld);

        internal static int pivot_root(string newRoot, string putOld) => (int)syscall_pivot_root(SYS_pivot_root, newRoot, putOld);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int umount2(string target, int flags);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int chroot(string path);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int fchdir(int fd);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int mkdirat(int dirfd, string path, uint mode);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int fchmodat(int dirfd, string path, uint mode, int flags);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int mknodat(int dirfd, string path, uint mode, ulong dev);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int symlinkat(string target, int dirfd, string linkPath);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int unlinkat(int dirfd, string path, int flags);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int fchownat(int dirfd, string path, uint uid, uint gid, int flags);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int renameat2(int olddirfd, string oldPath, int newdirfd, string newPath, uint flags);

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int statx(int dirfd, string path, int flags, uint mask, Statx* buf);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int fstatfs(int fd, StatFs* buf);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int flock(int fd, int operation);

        [LibraryImport(Lib, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial byte* realpath(string path, byte* resolved);

        [LibraryImport(Lib)]
        private static partial void free(void* pointer);

        /// <summary>The canonical path (every symlink, . and .. resolved), or null if it cannot be resolved.</summary>
        internal static string? RealPath(string path)
        {
            var resolved = realpath(path, null);
            if (resolved == null) return null;
            try { return Marshal.PtrToStringUTF8((nint)resolved); }
            finally { free(resolved); }
        }

        [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint readlinkat(int dirfd, string path, byte* buf, nuint size);

        /// <summary>The target of the symlink <paramref name="path"/> (relative to <paramref name="dirfd"/>).</summary>
        internal static string ReadLink(int dirfd, string path, string what)
        {
            var buf = stackalloc byte[4096];
            var n = readlinkat(dirfd, path, buf, 4096);
            if (n < 0) throw SyscallException.FromLastError(what);
            return System.Text.Encoding.UTF8.GetString(buf, (int)n);
        }

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial uint umask(uint mask);

        internal static ulong MakeDev(ulong major, ulong minor) =>
            ((major & 0xfffff000UL) << 32) | ((major & 0xfffUL) << 8) | ((minor & 0xffffff00UL) << 12) | (minor & 0xffUL);

        /// <summary>statx of an fd (AT_EMPTY_PATH) or of a path relative to <paramref name="dirfd"/>, not following a final symlink.</summary>
        internal static Statx Stat(int dirfd, string path, string what)
        {
            var errno = TryStat(dirfd, path, out var st);
            return errno == 0 ? st : throw new SyscallException(what, errno);
        }

        /// <summary><see cref="Stat"/> that answers with the errno (0: done), for callers where a
        /// missing file is an everyday answer, not an error (a thrown exception costs tens of µs).</summary>
        internal static int TryStat(int dirfd, string path, out Statx st)
        {
            Statx buf;
            var flags = AT_SYMLINK_NOFOLLOW | (path.Length == 0 ? AT_EMPTY_PATH : 0);
            var rc = statx(dirfd, path, flags, STATX_BASIC_STATS, &buf);
            st = buf;
            return rc == 0 ? 0 : Marshal.GetLastPInvokeError();
        }

        /// <summary>
        /// A small file's text (procfs, sysfs): open, read to the end, close. File.ReadAllText's
        /// stream, reader and buffers cost more than the read itself, several times on the init's
        /// path. Null when it cannot be read, with the errno in <paramref name="errno"/>.
        /// </summary>
        internal static string? TryReadText(string path, out int errno)
        {
            var fd = openat2(AT_FDCWD, path, (ulong)(O_RDONLY | O_CLOEXEC), 0, 0);
            if (fd < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
            try
            {
                var buffer = new byte[4096];
                var length = 0;
                while (true)
                {
                    if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    nint n;
                    fixed (byte* p = &buffer[length])
                        n = read(fd, p, buffer.Length - length);
                    if (n == 0) break;
                    if (n < 0)
                    {
                        errno = Marshal.GetLastPInvokeError();
                        if (errno == SyscallException.EINTR) continue;
                        return null;
                    }
                    length += (int)n;
                }
                errno = 0;
                return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
            }
            finally
            {
                close(fd);
            }
        }

        /// <inheritdoc cref="TryReadText(string, out int)"/>
        internal static string? TryReadText(string path) => TryReadText(path, out _);

        /// <summary><see cref="TryReadText(string, out int)"/> for a file that must be there: "reading PATH: strerror" otherwise.</summary>
        internal static string ReadText(string path) =>
            TryReadText(path, out var errno) ?? throw new SyscallException($"reading {path}", errno);

        internal static StatFs StatFileSystem(SafeFileHandle fd, string what)
        {
            StatFs st;
            Check(fstatfs(Fd(fd), &st), what);
            return st;
        }

        /// <summary>openat2 wrapped in a SafeFileHandle; the fd is always close-on-exec.</summary>
        internal static SafeFileHandle Open(int dirfd, string path, int flags, ulong resolve, string what, uint mode = 0)
        {
            int fd;
            do fd = openat2(dirfd, path, (ulong)(flags | O_CLOEXEC), mode, resolve);
            while (fd < 0 && Marshal.GetLastPInvokeError() is SyscallException.EINTR or SyscallException.EAGAIN);
            Check(fd, what);
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        /// <summary>mkdir with exactly <paramref name="mode"/> (chmod after, so the umask cannot take bits away);
        /// false when it already exists.</summary>
        internal static bool MakeDirectory(string path, uint mode, string what)
        {
            if (mkdirat(AT_FDCWD, path, mode) != 0)
            {
                var e = SyscallException.FromLastError(what);
                if (e.Errno == SyscallException.EEXIST) return false;
                throw e;
            }
            Check(fchmodat(AT_FDCWD, path, mode, 0), what);
            return true;
        }

        internal static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

        /// <summary>The magic link through which a syscall that takes a path reaches exactly this fd's file.</summary>
        internal static string ProcFdPath(SafeFileHandle handle) => $"/proc/self/fd/{Fd(handle)}";

        internal static int Check(int rc, string what) => rc < 0 ? throw SyscallException.FromLastError(what) : rc;
    }
}
