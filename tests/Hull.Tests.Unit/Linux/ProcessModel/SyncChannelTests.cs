using System.Net.Sockets;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class SyncChannelTests
{
    /// <summary>A connected stream socket pair, as hull and its init have.</summary>
    static (SyncChannel, SyncChannel, Socket, Socket) Pair()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hull-sync-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var a = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        a.Connect(new UnixDomainSocketEndPoint(path));
        var b = listener.Accept();
        File.Delete(path);
        return (new SyncChannel((int)a.Handle), new SyncChannel((int)b.Handle), a, b);
    }

    [Fact]
    public async Task FramesArriveWhole()
    {
        var (hull, init, sa, sb) = Pair();
        using (sa)
        using (sb)
        {
            var big = new byte[300_000];
            Random.Shared.NextBytes(big);
            var sender = Task.Run(() => { hull.Send(SyncMessage.Spec, big); hull.Send(SyncMessage.HooksDone); });
            Assert.Equal(big, init.Expect(SyncMessage.Spec, "hull"));
            Assert.Equal((SyncMessage.HooksDone, 0), init.Receive() is { } f ? (f.Type, f.Payload.Length) : default);
            await sender;
        }
    }

    [Fact]
    public void AnErrorFrameBecomesTheException()
    {
        var (hull, init, sa, sb) = Pair();
        using (sa)
        using (sb)
        {
            init.Send(SyncMessage.Error, "unable to start container process: boom");
            Assert.Equal("unable to start container process: boom", Assert.Throws<HullException>(() => hull.Expect(SyncMessage.Ready, "init")).Message);
        }
    }

    [Fact]
    public void EndOfStreamIsNullThenAnError()
    {
        var (hull, _, sa, sb) = Pair();
        using (sa)
        {
            sb.Shutdown(SocketShutdown.Both);
            sb.Dispose();
            Assert.Null(hull.Receive());
            Assert.Throws<HullException>(() => hull.Expect(SyncMessage.Ready, "the container's init"));
        }
    }

    [Fact]
    public void AnFdSentWithAFrameArrivesWithIt()
    {
        var (hull, init, sa, sb) = Pair();
        using (sa)
        using (sb)
        {
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, "pty");
                using var handle = File.OpenHandle(file);
                init.Send(SyncMessage.Warning, "first");
                init.SendFd(SyncMessage.ConsoleMaster, (int)handle.DangerousGetHandle(), "/dev/ptmx"u8);
                var warning = hull.Receive()!.Value;
                Assert.Equal((SyncMessage.Warning, -1), (warning.Type, warning.Fd));
                var frame = hull.Receive()!.Value;
                Assert.Equal(SyncMessage.ConsoleMaster, frame.Type);
                Assert.Equal("/dev/ptmx"u8.ToArray(), frame.Payload);
                Assert.True(frame.Fd >= 0);
                using var received = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(frame.Fd, ownsHandle: true), FileAccess.Read);
                Assert.Equal("pty", new StreamReader(received).ReadToEnd());
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public void AnFdOnAFrameNobodyExpectsIsClosedNotLeaked()
    {
        var (hull, init, sa, sb) = Pair();
        // A file of this test's own: fds are counted by what they point at, since tests running in
        // parallel open and close fds of their own in this process.
        var file = Path.Combine(Path.GetTempPath(), $"hull-sync-{Guid.NewGuid():N}");
        File.WriteAllText(file, "");
        try
        {
            using (sa)
            using (sb)
            {
                using var handle = File.OpenHandle(file);
                init.SendFd(SyncMessage.HooksDone, (int)handle.DangerousGetHandle());
                hull.Expect(SyncMessage.HooksDone, "init");
                // The copy in flight became an fd of this process when it was received: only the
                // sender's own is left, so that copy was closed.
                Assert.Equal(1, FdsOpenOn(file));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    static int FdsOpenOn(string path) => Directory.GetFiles("/proc/self/fd").Count(fd =>
    {
        try { return new FileInfo(fd).LinkTarget == path; }
        catch (IOException) { return false; } // closed meanwhile
    });
}
