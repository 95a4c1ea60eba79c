using System.Text;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Process;

namespace Hull.Plugins.Linux.Terminal;

/// <summary>Takes the pty master of a container's process when the container's init or exec'd
/// process sends it to hull (<see cref="SyncMessage.ConsoleMaster"/>).</summary>
internal interface IConsoleReceiver
{
    /// <summary>Takes ownership of <paramref name="master"/>.</summary>
    void Accept(int master);
}

/// <summary>
/// --console-socket: a connection to the caller's AF_UNIX socket, made before the container's
/// process starts (so a wrong path fails before anything exists, as runc's dial does), over which
/// the pty master goes in runc's protocol: one sendmsg whose data is the master's name and whose
/// SCM_RIGHTS holds the fd. conmon and containerd's shim read it this way.
/// </summary>
internal sealed unsafe class ConsoleSocket : IConsoleReceiver, IDisposable
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    const int MaxPath = 107;

    readonly string path;
    int socket;

    ConsoleSocket(string path, int socket)
    {
        this.path = path;
        this.socket = socket;
    }

    public static ConsoleSocket Connect(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length is 0 or > MaxPath)
            throw new HullException($"--console-socket {path}: not a usable unix socket path (1 to {MaxPath} bytes)");
        var fd = Libc.Check(Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0), "creating a socket for the console");
        var addr = new Libc.SockaddrUn { Family = Libc.AF_UNIX };
        bytes.CopyTo(new Span<byte>(addr.Path, MaxPath));
        int rc;
        do rc = Libc.connect(fd, &addr, (uint)(sizeof(ushort) + bytes.Length + 1));
        while (rc < 0 && Libc.LastErrno == Errno.EINTR);
        if (rc < 0)
        {
            var errno = Libc.LastErrno;
            Libc.close(fd);
            throw new HullException($"cannot connect to the console socket {path}: {Libc.Describe(errno)}");
        }
        return new ConsoleSocket(path, fd);
    }

    public void Accept(int master)
    {
        try
        {
            if (FdPassing.Send(socket, Encoding.UTF8.GetBytes(ContainerPty.MasterName), master) < 0)
                throw new HullException($"sending the console to {path}: {Libc.Describe(Libc.LastErrno)}");
        }
        finally
        {
            Libc.close(master);
        }
    }

    public void Dispose()
    {
        if (socket >= 0) Libc.close(socket);
        socket = -1;
    }
}
