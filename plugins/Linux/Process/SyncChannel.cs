using System.Buffers.Binary;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>Frame types between hull and its init. 1-5 are shared with native/bootstrap.c.</summary>
internal enum SyncMessage : uint
{
    BootData = 1,
    UsermapRequest = 2,
    UsermapAck = 3,
    InitPid = 4,
    Error = 5,
    /// <summary>parent → init: the config.json text.</summary>
    Spec = 6,
    /// <summary>parent → init: the <see cref="InitOptions"/> JSON.</summary>
    Options = 7,
    /// <summary>init → parent: mounts are done; run the prestart and createRuntime hooks.</summary>
    HooksRequest = 8,
    HooksDone = 9,
    /// <summary>init → parent: set up and waiting for start.</summary>
    Ready = 10,
    /// <summary>init → parent: a warning for hull's log (the init's stderr is the container's).</summary>
    Warning = 11,
    /// <summary>exec: parent → process: the <see cref="ExecOptions"/> JSON (instead of Spec and Options).</summary>
    ExecOptions = 12,
    /// <summary>init or exec'd process → parent: the pty master, attached (SCM_RIGHTS).</summary>
    ConsoleMaster = 13,
    /// <summary>init or exec'd process → parent: u32, the number of its seccomp notify fd; it waits
    /// for <see cref="SeccompDone"/> while hull copies the fd out and hands it to the agent.</summary>
    SeccompFd = 14,
    SeccompDone = 15,
}

/// <summary>A frame; <see cref="Fd"/> is an fd that came with it (close-on-exec, the receiver's to close), or -1.</summary>
internal readonly record struct SyncFrame(SyncMessage Type, byte[] Payload, int Fd = -1);

/// <summary>
/// Length-prefixed frames (u32 type, u32 length, payload; little-endian) over a stream socket:
/// the one channel between hull and the container's init, from the C bootstrap to "ready".
/// </summary>
internal sealed unsafe class SyncChannel(int fd) : IDisposable
{
    const int MaxFrame = 16 << 20;

    public int Fd { get; private set; } = fd;

    public void Send(SyncMessage type, ReadOnlySpan<byte> payload = default)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)payload.Length);
        WriteAll(head);
        WriteAll(payload);
    }

    /// <summary>A frame with <paramref name="fd"/> attached to its first byte (the receiver gets its own copy).</summary>
    public void SendFd(SyncMessage type, int fd, ReadOnlySpan<byte> payload = default)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)payload.Length);
        var n = FdPassing.Send(Fd, head, fd);
        if (n <= 0) throw new HullException($"sync channel: sendmsg: {Libc.Describe(Libc.LastErrno)}");
        WriteAll(head[(int)n..]);
        WriteAll(payload);
    }

    public void Send(SyncMessage type, string text) => Send(type, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>The next frame, or null at end of stream (the other side exited).</summary>
    public SyncFrame? Receive()
    {
        Span<byte> head = stackalloc byte[8];
        // The head's first read is a recvmsg: an fd sent with the frame comes with its first byte.
        var n = FdPassing.Receive(Fd, head, out var fd);
        if (n < 0) throw new HullException($"sync channel: recvmsg: {Libc.Describe(Libc.LastErrno)}");
        if (n == 0) return null;
        try
        {
            ReadAll(head[(int)n..], allowEof: false);
            var type = (SyncMessage)BinaryPrimitives.ReadUInt32LittleEndian(head);
            var len = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            if (len > MaxFrame) throw new HullException($"sync channel: frame of {len} bytes is too large");
            var payload = new byte[len];
            ReadAll(payload, allowEof: false);
            return new SyncFrame(type, payload, fd);
        }
        catch
        {
            if (fd >= 0) Libc.close(fd);
            throw;
        }
    }

    /// <summary>Receives one frame that must be <paramref name="expected"/>; an Error frame or EOF throws.</summary>
    public byte[] Expect(SyncMessage expected, string peer)
    {
        var frame = Receive() ?? throw new HullException($"{peer} exited before sending {expected}");
        // No frame read through here carries an fd; one sent anyway must not leak.
        if (frame.Fd >= 0) Libc.close(frame.Fd);
        return Checked(frame, expected, peer).Payload;
    }

    /// <summary><see cref="Expect"/> for a frame that must carry an fd: its payload and the fd (ours to close).</summary>
    public (byte[] Payload, int Fd) ExpectFd(SyncMessage expected, string peer)
    {
        var frame = Receive() ?? throw new HullException($"{peer} exited before sending {expected}");
        try
        {
            Checked(frame, expected, peer);
            if (frame.Fd < 0) throw new HullException($"{peer} sent {expected} without its fd");
            return (frame.Payload, frame.Fd);
        }
        catch
        {
            if (frame.Fd >= 0) Libc.close(frame.Fd);
            throw;
        }
    }

    static SyncFrame Checked(SyncFrame frame, SyncMessage expected, string peer)
    {
        if (frame.Type == SyncMessage.Error) throw new HullException(System.Text.Encoding.UTF8.GetString(frame.Payload));
        if (frame.Type != expected) throw new HullException($"{peer} sent {frame.Type}, expected {expected}");
        return frame;
    }

    void WriteAll(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var off = 0;
            while (off < data.Length)
            {
                var n = Libc.write(Fd, p + off, data.Length - off);
                if (n < 0 && Libc.LastErrno == Errno.EINTR) continue;
                if (n <= 0) throw new HullException($"sync channel: write: {Libc.Describe(Libc.LastErrno)}");
                off += (int)n;
            }
        }
    }

    bool ReadAll(Span<byte> data, bool allowEof)
    {
        fixed (byte* p = data)
        {
            var off = 0;
            while (off < data.Length)
            {
                var n = Libc.read(Fd, p + off, data.Length - off);
                if (n < 0 && Libc.LastErrno == Errno.EINTR) continue;
                if (n < 0) throw new HullException($"sync channel: read: {Libc.Describe(Libc.LastErrno)}");
                if (n == 0)
                {
                    if (off == 0 && allowEof) return false;
                    throw new HullException("sync channel: the other side closed it mid-message");
                }
                off += (int)n;
            }
        }
        return true;
    }

    public void Dispose()
    {
        if (Fd >= 0) Libc.close(Fd);
        Fd = -1;
    }
}
