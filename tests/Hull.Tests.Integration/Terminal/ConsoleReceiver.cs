using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Hull.Tests.Integration.Terminal;

/// <summary>
/// The receiving end of --console-socket, as conmon or containerd's shim is: a unix socket whose
/// first message carries the pty master in SCM_RIGHTS (and the master's name as data).
/// </summary>
internal sealed unsafe partial class ConsoleReceiver : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    readonly Socket listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public string SocketPath { get; }

    public ConsoleReceiver(string dir)
    {
        SocketPath = Path.Combine(dir, "console.sock");
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
    }

    /// <summary>Accepts the runtime's connection and takes the master from its first message.</summary>
    public (string Name, SafeFileHandle Master) Receive(int timeoutMs = 30_000)
    {
        if (!listener.Poll(TimeSpan.FromMilliseconds(timeoutMs), SelectMode.SelectRead))
            throw new TimeoutException("the runtime never connected to the console socket");
        using var connection = listener.Accept();
        var buffer = new byte[256];
        var control = stackalloc byte[64];
        fixed (byte* data = buffer)
        {
            var iov = new IoVec { Base = data, Len = (nuint)buffer.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
            var n = recvmsg((int)connection.Handle, &msg, 0);
            if (n < 0) throw new IOException($"recvmsg: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            // One cmsghdr (len, level SOL_SOCKET, type SCM_RIGHTS) holding one int.
            if (msg.ControlLen < 20 || *(int*)(control + 8) != 1 || *(int*)(control + 12) != 1)
                throw new InvalidDataException("the console socket's message carried no fd");
            return (Encoding.UTF8.GetString(buffer, 0, (int)n), new SafeFileHandle(*(int*)(control + 16), ownsHandle: true));
        }
    }

    /// <summary>Writes <paramref name="input"/> to the master, then reads until the other side is
    /// gone (EIO) or <paramref name="until"/> appears in the output.</summary>
    public static string Converse(SafeFileHandle master, string input, string? until = null, int timeoutMs = 30_000)
    {
        using var stream = new FileStream(master, FileAccess.ReadWrite, bufferSize: 0);
        stream.Write(Encoding.UTF8.GetBytes(input));
        var output = new StringBuilder();
        var reader = Task.Run(() =>
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = stream.Read(buffer)) > 0)
                {
                    lock (output) output.Append(Encoding.UTF8.GetString(buffer, 0, n));
                    if (until is not null && output.ToString().Contains(until)) return;
                }
            }
            catch (IOException)
            {
                // EIO: every slave fd is closed, the process is gone.
            }
        });
        reader.Wait(timeoutMs);
        lock (output) return output.ToString();
    }

    public void Dispose() => listener.Dispose();

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvmsg(int fd, MsgHdr* msg, int flags);
}
