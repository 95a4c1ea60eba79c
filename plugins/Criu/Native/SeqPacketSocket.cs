namespace Hull.Plugins.Criu.Native;

/// <summary>One message off the CRIU socket, with any fds CRIU passed along (SCM_RIGHTS).</summary>
internal sealed record Packet(byte[] Data, IReadOnlyList<int> Fds);

/// <summary>The transport to a `criu swrk` process: one protobuf message per datagram.</summary>
internal interface ICriuChannel : IDisposable
{
    void Send(ReadOnlySpan<byte> message);

    /// <summary>The next message, or null when CRIU closed its end (it exited).</summary>
    Packet? Receive();
}

/// <summary>Our end of an AF_UNIX SOCK_SEQPACKET socketpair, as `criu swrk` expects.</summary>
internal sealed unsafe class SeqPacketSocket : ICriuChannel
{
    // criu_resp messages are small; runc reads with 40 KiB. A truncated message is an error.
    const int BufferSize = 64 * 1024;
    const int MSG_TRUNC = 0x20;
    const int MSG_CTRUNC = 0x08;
    // Room for a few fds in one control message (CRIU sends at most one).
    const int ControlSize = 256;

    int fd;

    SeqPacketSocket(int fd) => this.fd = fd;

    /// <summary>A connected pair, both ends O_CLOEXEC: ours, and the one to hand to CRIU as fd 3.</summary>
    public static (SeqPacketSocket Ours, int Theirs) CreatePair()
    {
        var sv = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, sv) != 0)
            throw new IOException("socketpair(AF_UNIX, SOCK_SEQPACKET): " + Libc.Describe(Libc.LastErrno));
        return (new SeqPacketSocket(sv[0]), sv[1]);
    }

    public void Send(ReadOnlySpan<byte> message)
    {
        fixed (byte* p = message)
        {
            nint n;
            while ((n = Libc.send(fd, p, (nuint)message.Length, Libc.MSG_NOSIGNAL)) < 0 && Libc.LastErrno == Libc.EINTR) { }
            if (n < 0) throw new IOException("cannot send a request to criu: " + Libc.Describe(Libc.LastErrno));
        }
    }

    public Packet? Receive()
    {
        var buffer = new byte[BufferSize];
        var control = stackalloc byte[ControlSize];
        nint n;
        Libc.MsgHdr msg;
        fixed (byte* p = buffer)
        {
            var iov = new Libc.IoVec { Base = p, Length = BufferSize };
            do
            {
                msg = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSize };
                n = Libc.recvmsg(fd, &msg, Libc.MSG_CMSG_CLOEXEC);
            } while (n < 0 && Libc.LastErrno == Libc.EINTR);
        }
        if (n < 0) throw new IOException("cannot read criu's response: " + Libc.Describe(Libc.LastErrno));
        var fds = ReceivedFds(&msg);
        if ((msg.Flags & (MSG_TRUNC | MSG_CTRUNC)) != 0)
        {
            foreach (var f in fds) Libc.CloseQuietly(f);
            throw new IOException("criu's response was larger than the receive buffer");
        }
        if (n == 0 && fds.Count == 0) return null;
        return new Packet(buffer[..(int)n], fds);
    }

    static List<int> ReceivedFds(Libc.MsgHdr* msg)
    {
        var fds = new List<int>();
        var headerSize = (nuint)sizeof(Libc.CmsgHdr);
        var offset = (nuint)0;
        while (offset + headerSize <= msg->ControlLength)
        {
            var cmsg = (Libc.CmsgHdr*)((byte*)msg->Control + offset);
            if (cmsg->Length < headerSize) break;
            if (cmsg->Level == Libc.SOL_SOCKET && cmsg->Type == Libc.SCM_RIGHTS)
            {
                var data = (int*)((byte*)cmsg + headerSize);
                var count = (int)((cmsg->Length - headerSize) / sizeof(int));
                for (var i = 0; i < count; i++) fds.Add(data[i]);
            }
            // CMSG_NXTHDR: lengths are aligned to size_t.
            offset += (cmsg->Length + (nuint)sizeof(nuint) - 1) & ~((nuint)sizeof(nuint) - 1);
        }
        return fds;
    }

    public void Dispose()
    {
        Libc.CloseQuietly(fd);
        fd = -1;
    }
}
