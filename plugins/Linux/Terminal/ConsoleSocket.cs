using System.Text;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Process;

namespace Hull.Plugins.Linux.Terminal;

/// <summary>Takes the pty master of a container's process when the container's init or exec'd
/// process sends it to hull (<see cref="SyncMessage.ConsoleMaster"/>).</summary>
internal interface IConsoleReceiver
{
    /// <summary>Takes ownership of <paramref name="master"/>; <paramref name="name"/> is what runc
    /// calls it on the console socket (/dev/ptmx, or orphan-pts-master for a restored terminal).</summary>
    void Accept(int master, string name = ContainerPty.MasterName);
}

/// <summary>
/// --console-socket: a connection to the caller's AF_UNIX socket, made before the container's
/// process starts (so a wrong path fails before anything exists, as runc's dial does), over which
/// the pty master goes in runc's protocol: one sendmsg whose data is the master's name and whose
/// SCM_RIGHTS holds the fd. conmon and containerd's shim read it this way.
/// </summary>
internal sealed class ConsoleSocket : IConsoleReceiver, IDisposable
{
    readonly string path;
    int socket;

    ConsoleSocket(string path, int socket)
    {
        this.path = path;
        this.socket = socket;
    }

    public static ConsoleSocket Connect(string path) => new(path, FdPassing.Connect(path, "the console socket"));

    public void Accept(int master, string name = ContainerPty.MasterName)
    {
        try
        {
            if (FdPassing.Send(socket, Encoding.UTF8.GetBytes(name), master) < 0)
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
