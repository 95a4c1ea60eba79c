using System.Text;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>One fd along with some bytes over a unix socket (SCM_RIGHTS): the pty master from the
/// container's process to hull and from hull to a console socket, the seccomp notify fd from hull
/// to the agent.</summary>
internal static unsafe class FdPassing
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    const int MaxPath = 107;

    /// <summary>A stream connection (close-on-exec) to the unix socket at <paramref name="path"/>;
    /// <paramref name="what"/> names it in errors ("the console socket").</summary>
    public static int Connect(string path, string what)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length is 0 or > MaxPath)
            throw new HullException($"{what} \"{path}\" is not a usable unix socket path (1 to {MaxPath} bytes)");
        var fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new HullException($"cannot create a socket for {what}: {Libc.Describe(Libc.LastErrno)}");
        var addr = new Libc.SockaddrUn { Family = Libc.AF_UNIX };
        bytes.CopyTo(new Span<byte>(addr.Path, MaxPath));
        int rc;
        do rc = Libc.connect(fd, &addr, (uint)(sizeof(ushort) + bytes.Length + 1));
        while (rc < 0 && Libc.LastErrno == Errno.EINTR);
        if (rc == 0) return fd;
        var errno = Libc.LastErrno;
        Libc.close(fd);
        throw new HullException($"cannot connect to {what} at {path}: {Libc.Describe(errno)}");
    }

    /// <summary>
    /// One sendmsg of (the start of) <paramref name="data"/>, with <paramref name="fd"/> attached
    /// unless it is -1. Returns the bytes sent, or -1 with errno set. The fd goes with the first
    /// byte: a reader gets it with whatever read returns that byte.
    /// </summary>
    public static nint Send(int socket, ReadOnlySpan<byte> data, int fd)
    {
        fixed (byte* bytes = data)
        {
            var iov = new Libc.IoVec { Base = bytes, Len = (nuint)data.Length };
            var cmsg = new Libc.CmsgOneFd { Len = Libc.CmsgOneFd.DataLength, Level = Libc.SOL_SOCKET, Type = Libc.SCM_RIGHTS, Fd = fd };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1 };
            if (fd >= 0)
            {
                msg.Control = &cmsg;
                msg.ControlLen = (nuint)sizeof(Libc.CmsgOneFd);
            }
            nint n;
            do n = Libc.sendmsg(socket, &msg, Libc.MSG_NOSIGNAL);
            while (n < 0 && Libc.LastErrno == Errno.EINTR);
            return n;
        }
    }

    /// <summary>
    /// One recvmsg into <paramref name="buffer"/>; an fd that came with the bytes is returned in
    /// <paramref name="fd"/> (close-on-exec), else -1. Returns the bytes read (0 at end of stream)
    /// or -1 with errno set.
    /// </summary>
    public static nint Receive(int socket, Span<byte> buffer, out int fd)
    {
        fd = -1;
        fixed (byte* bytes = buffer)
        {
            var iov = new Libc.IoVec { Base = bytes, Len = (nuint)buffer.Length };
            var cmsg = default(Libc.CmsgOneFd);
            var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = &cmsg, ControlLen = (nuint)sizeof(Libc.CmsgOneFd) };
            nint n;
            do n = Libc.recvmsg(socket, &msg, Libc.MSG_CMSG_CLOEXEC);
            while (n < 0 && Libc.LastErrno == Errno.EINTR);
            if (n >= 0 && msg.ControlLen >= Libc.CmsgOneFd.DataLength && cmsg.Level == Libc.SOL_SOCKET && cmsg.Type == Libc.SCM_RIGHTS)
                fd = cmsg.Fd;
            return n;
        }
    }
}
