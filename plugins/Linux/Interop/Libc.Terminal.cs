using System.Runtime.InteropServices;

namespace Hull.Plugins.Linux.Interop;

// fds over unix sockets (SCM_RIGHTS), sessions and terminals: what exec's process model and the
// Terminal part need from libc.
internal static unsafe partial class Libc
{
    internal const int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    internal const int STDIN = 0, STDOUT = 1, STDERR = 2;
    internal const ulong TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TIOCSCTTY = 0x540E, TIOCSPTLCK = 0x40045431, TIOCGPTPEER = 0x5441;
    internal const int TCSANOW = 0;
    internal const int SIGWINCH = 28;

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    /// <summary>struct cmsghdr carrying one int, padded to CMSG_SPACE(sizeof(int)) = 24 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CmsgOneFd
    {
        public nuint Len;
        public int Level;
        public int Type;
        public int Fd;
        int padding;

        /// <summary>CMSG_LEN(sizeof(int)): the header and one fd, without the trailing padding.</summary>
        public static nuint DataLength => (nuint)(sizeof(nuint) + 2 * sizeof(int) + sizeof(int));
    }

    /// <summary>sockaddr_un: family + 108 bytes of path.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrUn
    {
        public ushort Family;
        public fixed byte Path[108];
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixel;
        public ushort YPixel;
    }

    /// <summary>glibc's struct termios (60 bytes on x86_64 and aarch64).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 60)]
    internal struct Termios;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint sendmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint recvmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int connect(int fd, SockaddrUn* addr, uint addrLen);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int ioctl(int fd, ulong request, void* arg);

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int ioctl_int(int fd, ulong request, nint arg);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int isatty(int fd);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int tcgetattr(int fd, Termios* termios);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int tcsetattr(int fd, int optionalActions, Termios* termios);

    [LibraryImport(Name)]
    internal static partial void cfmakeraw(Termios* termios);
}
