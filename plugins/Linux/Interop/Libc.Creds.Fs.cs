using System.Runtime.InteropServices;

namespace Hull.Plugins.Linux.Interop;

// Identity, capabilities, limits and the UTS names: what Setup/ needs from libc. Nested so these
// never collide with the process-side partial files of Libc.
internal static unsafe partial class Libc
{
    internal static unsafe partial class Creds
    {
        const string Lib = "libc";

        internal const int PR_SET_KEEPCAPS = 8, PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38,
            PR_CAP_AMBIENT = 47;
        internal const nuint PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4;
        internal const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;

        [StructLayout(LayoutKind.Sequential)]
        internal struct CapHeader
        {
            public uint Version;
            public int Pid;
        }

        /// <summary>One 32-bit half of the three sets; version 3 takes two of these.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct CapData
        {
            public uint Effective;
            public uint Permitted;
            public uint Inheritable;
        }

        [LibraryImport(Lib)]
        internal static partial uint geteuid();

        [LibraryImport(Lib)]
        internal static partial uint getegid();

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int sethostname(byte* name, nuint length);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int setdomainname(byte* name, nuint length);

        /// <summary>prlimit(2): pid 0 is the caller; limits are {soft, hard}.</summary>
        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int prlimit(int pid, int resource, ulong* newLimit, ulong* oldLimit);

        // glibc's setgroups/setresgid/setresuid apply to every thread of the process (the nptl
        // setxid broadcast), so the .NET runtime's threads never keep the old ids.
        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int setgroups(nuint size, uint* list);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int setresgid(uint rgid, uint egid, uint sgid);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int setresuid(uint ruid, uint euid, uint suid);

        // Capabilities and prctl flags are per-thread: these must run on the thread that calls execve.
        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int capget(CapHeader* header, CapData* data);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int capset(CapHeader* header, CapData* data);

        [LibraryImport(Lib, EntryPoint = "prctl", SetLastError = true)]
        internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

        [LibraryImport(Lib, SetLastError = true)]
        internal static partial int fchown(int fd, uint uid, uint gid);
    }
}
