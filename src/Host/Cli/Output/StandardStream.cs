using System.Runtime.InteropServices;

namespace Hull.Cli.Output;

/// <summary>
/// stdin, stdout or stderr as a stream that reads and writes the file descriptor directly, at its
/// current offset (as Go and runc do). System.Console would set up terminal and signal handling on
/// first use (start-up work, and not the host's business while a container may own the terminal);
/// a FileStream would write a redirected file at its own remembered offset, over other writers' lines.
/// </summary>
internal sealed partial class StandardStream(int fd, bool canWrite) : Stream
{
    private const int EINTR = 4;

    /// <summary>The platform's standard stream: this one on Unix, System.Console's on Windows.</summary>
    public static Stream Open(int fd) => OperatingSystem.IsWindows()
        ? fd switch { 0 => Console.OpenStandardInput(), 1 => Console.OpenStandardOutput(), _ => Console.OpenStandardError() }
        : new StandardStream(fd, canWrite: fd != 0);

    public override bool CanRead => !canWrite;
    public override bool CanWrite => canWrite;
    public override bool CanSeek => false;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            var written = 0;
            while (written < buffer.Length)
            {
                var n = SysWrite(fd, start + written, (nint)(buffer.Length - written));
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                        continue;
                    throw new IOException($"cannot write to file descriptor {fd}: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
                written += (int)n;
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override unsafe int Read(Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            while (true)
            {
                var n = SysRead(fd, start, (nint)buffer.Length);
                if (n >= 0)
                    return (int)n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                    throw new IOException($"cannot read file descriptor {fd}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
    }

    public override void Flush() { }
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint SysWrite(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint SysRead(int fd, byte* buffer, nint count);
}
