using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using Microsoft.Win32.SafeHandles;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>
/// The SCMP_ACT_NOTIFY hand-over, done by hull's parent process (never by the container's init:
/// after the root switch listenerPath is out of its reach, and every syscall it makes after the
/// filter is in must be as few as possible). As runc: the init installs the filter, writes the
/// listener fd's number to hull over its sync socket and waits; hull copies the fd out of the init
/// with <see cref="TakeFromProcess"/>, tells the init to go on (it closes its copy and execs), and
/// sends the copy to the agent with <see cref="Send"/>.
/// </summary>
public static unsafe class SeccompListener
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    private const int MaxSocketPath = 107;

    /// <summary>A copy of file descriptor <paramref name="remoteFd"/> of process <paramref name="pid"/>
    /// (pidfd_getfd(2), Linux 5.6+; needs ptrace rights over the process, which hull has over its own
    /// children). The copy is O_CLOEXEC.</summary>
    public static SafeFileHandle TakeFromProcess(int pid, int remoteFd)
    {
        var pidfd = (int)SeccompNative.syscall(SeccompNative.SYS_pidfd_open, pid, 0, 0);
        if (pidfd < 0) throw Failure($"cannot open process {pid} to take its seccomp notify fd (pidfd_open)");
        try
        {
            var fd = (int)SeccompNative.syscall(SeccompNative.SYS_pidfd_getfd, pidfd, remoteFd, 0);
            if (fd < 0) throw Failure($"cannot take the seccomp notify fd {remoteFd} from process {pid} (pidfd_getfd)");
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        finally
        {
            SeccompNative.close(pidfd);
        }
    }

    /// <summary>
    /// Connects to the agent's unix stream socket at <paramref name="listenerPath"/> and sends, on that
    /// one connection, <paramref name="state"/> as JSON with <paramref name="listenerFd"/> in SCM_RIGHTS
    /// (the fd goes with the first sendmsg only, as the spec requires), then closes it. A failure is an
    /// error: the spec says the runtime must fail when the agent cannot be reached.
    /// </summary>
    public static void Send(string listenerPath, SafeHandle listenerFd, ContainerProcessState state)
    {
        var pathBytes = Encoding.UTF8.GetBytes(listenerPath);
        if (pathBytes.Length == 0 || pathBytes.Length > MaxSocketPath)
            throw new HullException($"linux.seccomp.listenerPath \"{listenerPath}\" is not a usable unix socket path (1 to {MaxSocketPath} bytes)");
        var payload = JsonSerializer.SerializeToUtf8Bytes(state, SeccompJsonContext.Default.ContainerProcessState);

        var sock = SeccompNative.socket(SeccompNative.AF_UNIX, SeccompNative.SOCK_STREAM | SeccompNative.SOCK_CLOEXEC, 0);
        if (sock < 0) throw Failure("cannot create a socket for the seccomp agent");
        var added = false;
        try
        {
            var addr = new SeccompNative.SockaddrUn { Family = SeccompNative.AF_UNIX };
            pathBytes.CopyTo(new Span<byte>(addr.Path, MaxSocketPath));
            var addrLen = (uint)(sizeof(ushort) + pathBytes.Length + 1);
            int rc;
            do rc = SeccompNative.connect(sock, &addr, addrLen);
            while (Interrupted(rc));
            if (rc < 0)
                throw Failure($"cannot connect to the seccomp agent at {listenerPath}");

            listenerFd.DangerousAddRef(ref added);
            var sent = 0;
            while (sent < payload.Length)
            {
                var n = SendChunk(sock, payload.AsSpan(sent), sent == 0 ? (int)listenerFd.DangerousGetHandle() : -1);
                if (n < 0) throw Failure($"cannot send the seccomp notify fd to {listenerPath}");
                sent += (int)n;
            }
        }
        finally
        {
            if (added) listenerFd.DangerousRelease();
            SeccompNative.close(sock);
        }
    }

    /// <summary>One sendmsg of <paramref name="data"/>, with <paramref name="fd"/> in SCM_RIGHTS unless it is -1.</summary>
    private static nint SendChunk(int sock, ReadOnlySpan<byte> data, int fd)
    {
        fixed (byte* bytes = data)
        {
            var iov = new SeccompNative.IoVec { Base = bytes, Len = (nuint)data.Length };
            var cmsg = new SeccompNative.CmsgOneFd
            {
                Len = (nuint)(sizeof(nuint) + 2 * sizeof(int) + sizeof(int)), // CMSG_LEN(sizeof(int))
                Level = SeccompNative.SOL_SOCKET,
                Type = SeccompNative.SCM_RIGHTS,
                Fd = fd,
            };
            var msg = new SeccompNative.MsgHdr { Iov = &iov, IovLen = 1 };
            if (fd >= 0)
            {
                msg.Control = &cmsg;
                msg.ControlLen = (nuint)sizeof(SeccompNative.CmsgOneFd);
            }
            nint n;
            do n = SeccompNative.sendmsg(sock, &msg, SeccompNative.MSG_NOSIGNAL);
            while (Interrupted(n));
            return n;
        }
    }

    private static bool Interrupted(nint rc) => rc < 0 && Marshal.GetLastPInvokeError() == SeccompNative.EINTR;

    private static HullException Failure(string what) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
}
