using System.Runtime.InteropServices;

namespace Hull.Plugins.Linux.Interop;

// Processes, fds, signals and spawning: what the process model (Process/) needs from libc.
internal static unsafe partial class Libc
{
    internal const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    internal const int F_GETFD = 1, F_SETFD = 2, F_DUPFD_CLOEXEC = 1030, F_ADD_SEALS = 1033;
    internal const int FD_CLOEXEC = 1;
    internal const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    internal const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    internal const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
    internal const int WNOHANG = 1;
    internal const int PR_SET_CHILD_SUBREAPER = 36;
    internal const int POLLIN = 1, POLLHUP = 0x10;
    internal const uint CLOSE_RANGE_CLOEXEC = 4;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const int SIG_SETMASK = 2;
    internal const int SIGKILL = 9, SIGTERM = 15, SIGSTOP = 19, SIGCHLD = 17;
    internal const int MaxSignal = 64;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags, uint mode);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int dup3(int oldFd, int newFd, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int socketpair(int domain, int type, int protocol, int* sv);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int memfd_create(string name, uint flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint sendfile(int outFd, int inFd, long* offset, nint count);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mkfifo(string path, uint mode);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int openat(int dirFd, string path, int flags, uint mode);

    // The new mount API (glibc >= 2.36): detached mounts that live only as fds.
    internal const uint FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;
    internal const uint MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4;

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int fsopen(string fsName, uint flags);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int fsconfig(int fd, uint cmd, string? key, string? value, int aux);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int fsmount(int fd, uint flags, uint attrFlags);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chmod(string path, uint mode);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int poll(PollFd* fds, nuint nfds, int timeoutMs);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int close_range(uint first, uint last, uint flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int kill(int pid, int sig);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int getpid();

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setsid();

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chdir(string path);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial byte* getcwd(byte* buf, nuint size);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int execve(byte* path, byte** argv, byte** envp);

    internal const long SYS_rt_sigaction = 13;

    /// <summary>The raw syscall, for what glibc's wrappers refuse (its reserved signals 32 and 33).</summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long RawSyscall4(long number, long a1, long a2, long a3, long a4);

    /// <summary>The kernel's struct sigaction (not glibc's): handler, flags, restorer, 64-bit mask.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct KernelSigAction
    {
        public nint Handler;
        public ulong Flags;
        public nint Restorer;
        public ulong Mask;
    }

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int pthread_sigmask(int how, SigSet* set, SigSet* old);

    [LibraryImport(Name)]
    internal static partial int sigemptyset(SigSet* set);

    [LibraryImport(Name)]
    internal static partial int sigfillset(SigSet* set);

    // posix_spawn returns an errno value itself rather than setting errno.
    [LibraryImport(Name)]
    internal static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Name)]
    internal static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Name)]
    internal static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    /// <summary>glibc ignores the failure to close an fd that is not open (below RLIMIT_NOFILE).</summary>
    [LibraryImport(Name)]
    internal static partial int posix_spawn_file_actions_addclose(void* actions, int fd);

    /// <summary>glibc >= 2.34: closes every fd from <paramref name="from"/> up in the child.</summary>
    [LibraryImport(Name)]
    internal static partial int posix_spawn_file_actions_addclosefrom_np(void* actions, int from);

    [LibraryImport(Name)]
    internal static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Name)]
    internal static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Name)]
    internal static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Name)]
    internal static partial int posix_spawnattr_setsigmask(void* attr, SigSet* mask);

    [LibraryImport(Name)]
    internal static partial int posix_spawnattr_setsigdefault(void* attr, SigSet* set);

    [LibraryImport(Name)]
    internal static partial int posix_spawnattr_destroy(void* attr);

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>glibc's sigset_t: 1024 bits.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 128)]
    internal struct SigSet;

    internal static readonly nint SIG_DFL = 0, SIG_IGN = 1;

    internal static bool WIfExited(int status) => (status & 0x7f) == 0;
    internal static int WExitStatus(int status) => (status >> 8) & 0xff;
    internal static bool WIfSignaled(int status) => (status & 0x7f) is not 0 and not 0x7f;
    internal static int WTermSig(int status) => status & 0x7f;
}
