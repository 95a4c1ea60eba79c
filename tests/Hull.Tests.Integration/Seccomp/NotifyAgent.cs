using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Hull.Tests.Integration.Seccomp;

/// <summary>
/// A minimal seccomp agent, as a test writes it: listens on a unix socket for the runtime's
/// container process state + notify fd (SCM_RIGHTS), then answers notifications on that fd.
/// </summary>
internal sealed unsafe partial class NotifyAgent : IDisposable
{
    /// <summary>struct seccomp_notif: id, pid, flags, seccomp_data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Notification
    {
        public ulong Id;
        public uint Pid;
        public uint Flags;
        public int Nr;
        public uint Arch;
        public ulong InstructionPointer;
        public fixed ulong Args[6];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Response
    {
        public ulong Id;
        public long Val;
        public int Error;
        public uint Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    private const uint IoctlNotifRecv = 0xC050_2100, IoctlNotifSend = 0xC018_2101;
    public const uint FlagContinue = 1;
    private const short PollIn = 1;
    private const int TimeoutMs = 20_000;

    private readonly Socket listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public string SocketPath { get; }

    public NotifyAgent(string dir)
    {
        SocketPath = Path.Combine(dir, "agent.sock");
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
    }

    /// <summary>Accepts one connection and reads it to the end: the JSON and the fd that came with it.</summary>
    public (string Json, SafeFileHandle Fd) Receive()
    {
        if (!listener.Poll(TimeSpan.FromMilliseconds(TimeoutMs), SelectMode.SelectRead))
            throw new TimeoutException("the runtime never connected to the agent");
        using var connection = listener.Accept();
        var sock = (int)connection.Handle;
        var json = new MemoryStream();
        var fd = -1;
        var buffer = new byte[4096];
        var control = stackalloc byte[64];
        while (true)
        {
            nint n;
            fixed (byte* data = buffer)
            {
                var iov = new IoVec { Base = data, Len = (nuint)buffer.Length };
                var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
                n = recvmsg(sock, &msg, 0);
                if (n < 0) throw new IOException($"recvmsg: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                // One cmsghdr (len, level SOL_SOCKET, type SCM_RIGHTS) holding one int.
                if (msg.ControlLen >= 20 && *(int*)(control + 8) == 1 && *(int*)(control + 12) == 1)
                    fd = *(int*)(control + 16);
            }
            if (n == 0) break;
            json.Write(buffer, 0, (int)n);
        }
        if (fd < 0) throw new InvalidDataException("the runtime sent no fd with the container process state");
        return (Encoding.UTF8.GetString(json.ToArray()), new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Waits for the next notification on a listener fd.</summary>
    public static Notification Next(SafeFileHandle listenerFd)
    {
        var fd = (int)listenerFd.DangerousGetHandle();
        var pfd = new PollFd { Fd = fd, Events = PollIn };
        if (poll(&pfd, 1, TimeoutMs) != 1) throw new TimeoutException("no seccomp notification arrived");
        var notification = default(Notification); // the kernel wants it zeroed
        if (ioctl(fd, IoctlNotifRecv, &notification) != 0)
            throw new IOException($"SECCOMP_IOCTL_NOTIF_RECV: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return notification;
    }

    /// <summary>Answers a notification: fail the syscall with <paramref name="errno"/>, or let it run
    /// (<see cref="FlagContinue"/>).</summary>
    public static void Respond(SafeFileHandle listenerFd, ulong id, int errno, uint flags = 0)
    {
        var response = new Response { Id = id, Error = -errno, Flags = flags };
        if (ioctl((int)listenerFd.DangerousGetHandle(), IoctlNotifSend, &response) != 0)
            throw new IOException($"SECCOMP_IOCTL_NOTIF_SEND: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    public void Dispose() => listener.Dispose();

    [LibraryImport("libc", SetLastError = true)] private static partial nint recvmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int poll(PollFd* fds, nuint count, int timeoutMs);
    [LibraryImport("libc", SetLastError = true)] private static partial int ioctl(int fd, nuint request, void* arg);
}
