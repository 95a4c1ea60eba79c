using System.Runtime.InteropServices;

namespace Hull.Plugins.Linux.Interop;

// Spawning and waiting for a hook: posix_spawn keeps the hook's own argv[0] (which
// System.Diagnostics.Process cannot), pipes and poll carry its stdio, a pidfd its exit. Nested
// so these never collide with the process-side partial files of Libc.
internal static unsafe partial class Libc
{
    internal static unsafe partial class Spawn
    {
        const string Lib = "libc";

        internal const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
        internal const short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10;
        internal const int O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
        internal const int SIGKILL = 9;

        /// <summary>Opaque glibc objects, sized generously (x86-64: 80, 336 and 128 bytes).</summary>
        internal const int FileActionsSize = 256, AttrSize = 512, SigSetSize = 128;

        const long SYS_pidfd_open = 434;

        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int pipe2(int* fds, int flags);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial nint read(int fd, byte* buf, nint count);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial nint write(int fd, byte* buf, nint count);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int close(int fd);

        internal const int F_GETFL = 3, F_SETFL = 4;

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int fcntl(int fd, int cmd, int arg);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int poll(PollFd* fds, nuint count, int timeoutMs);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int kill(int pid, int signal);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int waitpid(int pid, int* status, int options);

        [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
        private static partial long syscall_pidfd_open(long number, int pid, uint flags);

        internal static int pidfd_open(int pid) => (int)syscall_pidfd_open(SYS_pidfd_open, pid, 0);

        // The posix_spawn family returns an errno value instead of setting errno.
        [LibraryImport(Lib)]
        internal static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

        [LibraryImport(Lib)]
        internal static partial int posix_spawn_file_actions_init(void* actions);

        [LibraryImport(Lib)]
        internal static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int posix_spawn_file_actions_addchdir_np(void* actions, string path);

        [LibraryImport(Lib)]
        internal static partial int posix_spawn_file_actions_destroy(void* actions);

        [LibraryImport(Lib)]
        internal static partial int posix_spawnattr_init(void* attr);

        [LibraryImport(Lib)]
        internal static partial int posix_spawnattr_setflags(void* attr, short flags);

        [LibraryImport(Lib)]
        internal static partial int posix_spawnattr_setsigmask(void* attr, void* mask);

        [LibraryImport(Lib)]
        internal static partial int posix_spawnattr_setsigdefault(void* attr, void* signals);

        [LibraryImport(Lib)]
        internal static partial int posix_spawnattr_destroy(void* attr);

        [LibraryImport(Lib)]
        internal static partial int sigemptyset(void* set);

        [LibraryImport(Lib)]
        internal static partial int sigfillset(void* set);

        internal static bool WIfExited(int status) => (status & 0x7f) == 0;
        internal static int WExitStatus(int status) => (status >> 8) & 0xff;
        internal static int WTermSig(int status) => status & 0x7f;
    }
}
