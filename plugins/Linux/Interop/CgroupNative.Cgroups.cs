using System.Runtime.InteropServices;

namespace Hull.Plugins.Linux.Interop;

/// <summary>
/// The libc calls the cgroup code needs. Raw calls return -1 and leave errno in
/// Marshal.GetLastPInvokeError; callers turn that into a clear error. Kept apart from other
/// interop classes so the cgroup work cannot collide with them.
/// </summary>
internal static unsafe partial class CgroupNative
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_TRUNC = 0x200, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;

    public const int ENOENT = 2, EINTR = 4, EAGAIN = 11, EACCES = 13, EBUSY = 16, EEXIST = 17, ENOTDIR = 20,
        EINVAL = 22, ENOSPC = 28, EROFS = 30, EPERM = 1, ENODEV = 19, ENOTEMPTY = 39, EOPNOTSUPP = 95, ESRCH = 3;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mkdir(string path, int mode);

    [LibraryImport("libc", EntryPoint = "rmdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Rmdir(string path);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall3(nint number, nint a1, void* a2, nint a3);

    /// <summary>bpf(2): glibc has no wrapper, so through syscall(2) with this architecture's number.</summary>
    public static int Bpf(int command, void* attr, int size)
    {
        nint number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 321,
            Architecture.Arm64 => 280,
            var other => throw new PlatformNotSupportedException($"bpf(2) number unknown for {other}"),
        };
        return (int)Syscall3(number, command, attr, size);
    }

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int InotifyAddWatch(int fd, string path, uint mask);

    /// <summary>pidfd_open(2) (glibc 2.36+): an fd that polls readable once the process has exited.</summary>
    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    public static partial int PidfdOpen(int pid, uint flags);

    public const uint IN_MODIFY = 0x2;
    public const int EFD_CLOEXEC = 0x80000, IN_CLOEXEC = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public const short POLLIN = 1, POLLPRI = 2, POLLERR = 8, POLLHUP = 0x10;

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>The C library's text for an errno ("Device or resource busy").</summary>
    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
