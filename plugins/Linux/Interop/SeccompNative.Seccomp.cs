using System.Runtime.InteropServices;

namespace Hull.Plugins.Linux.Interop;

/// <summary>
/// The libc calls the seccomp code needs. Kept in its own class so it cannot collide with the other
/// interop files. Raw calls return -1 and leave errno in Marshal.GetLastPInvokeError.
/// </summary>
internal static unsafe partial class SeccompNative
{
    // glibc has no wrapper for seccomp(2) and Debian 12's 2.36 none for pidfd_getfd(2). pidfd_* have
    // one number on every architecture (the unified table, Linux 5.1+); seccomp's differs.
    internal const nint SYS_pidfd_open = 434, SYS_pidfd_getfd = 438;
    internal static readonly nint SYS_seccomp = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 317,
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 277,
        var other => throw new PlatformNotSupportedException($"seccomp: no syscall number known for {other}"),
    };

    internal const uint SECCOMP_SET_MODE_FILTER = 1;
    internal const uint MFD_CLOEXEC = 1;
    internal const int EINTR = 4, EFAULT = 14, EINVAL = 22, EACCES = 13, EBUSY = 16, ENOMEM = 12, ENOSYS = 38;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockFprog
    {
        public ushort Len;
        public void* Filter;
    }

    // syscall(2) is variadic; on x86_64 and aarch64 Linux integer varargs travel in the same
    // registers as fixed ones, and glibc's syscall() is a plain register shuffle, so this is safe.
    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint syscall(nint number, nint a1, nint a2, nint a3);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int memfd_create(string name, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int close(int fd);
}
