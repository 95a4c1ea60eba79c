using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace Hull.Tests.Integration.Seccomp;

/// <summary>
/// The kernel's audit records, read from the audit netlink multicast group as they are made.
/// The kernel log is not a reliable witness: with no auditd, kauditd copies records there through a
/// rate-limited printk, so when several tests log at once (every seccomp kill is logged) a record can
/// be suppressed. The multicast group gets every record, in order. Listen before the traced run.
/// </summary>
internal sealed unsafe partial class AuditRecords : IDisposable
{
    private const int AfNetlink = 16, SockRawCloexec = 3 | 0x80000;
    private const int NetlinkAudit = 9;        // NETLINK_AUDIT
    private const int ReadLogGroup = 1;        // AUDIT_NLGRP_READLOG, as a bind-time group mask
    public const int Seccomp = 1326;           // AUDIT_SECCOMP
    private const int HeaderSize = 16;         // struct nlmsghdr

    private readonly int fd;
    private readonly List<(int Type, string Text)> seen = [];

    private AuditRecords(int fd) => this.fd = fd;

    /// <summary>Joins the read-log group (needs CAP_AUDIT_READ); records made from now on are kept.</summary>
    public static AuditRecords Listen()
    {
        var fd = socket(AfNetlink, SockRawCloexec, NetlinkAudit);
        if (fd < 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "socket(AF_NETLINK, NETLINK_AUDIT)");
        // Records wait in the socket while the test runs its processes: room for thousands of them,
        // so that other tests' records (every seccomp kill is logged) cannot crowd them out.
        var bufferSize = 8 << 20;
        // struct sockaddr_nl: family, padding, port id (0: the kernel picks), group mask.
        var address = stackalloc uint[3] { AfNetlink, 0, ReadLogGroup };
        if (setsockopt(fd, SolSocket, SoRcvbufForce, &bufferSize, sizeof(int)) < 0 || bind(fd, address, 12) < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            close(fd);
            throw new Win32Exception(error, "joining the audit read-log group");
        }
        return new AuditRecords(fd);
    }

    /// <summary>
    /// Reads records until one of <paramref name="type"/> contains every part, or <paramref name="timeout"/> passes.
    /// Every record read on the way stays in <see cref="Seen"/>.
    /// </summary>
    public bool WaitFor(int type, TimeSpan timeout, params string[] parts)
    {
        if (seen.Any(r => Matches(r, type, parts)))
            return true;
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[64 * 1024];
        while (DateTime.UtcNow < deadline)
        {
            var wait = new PollFd { Fd = fd, Events = PollIn };
            if (poll(&wait, 1, (int)Math.Ceiling((deadline - DateTime.UtcNow).TotalMilliseconds)) <= 0)
                continue; // timed out (the loop ends) or EINTR (poll again)
            int length;
            fixed (byte* b = buffer)
                length = (int)recv(fd, b, buffer.Length, 0);
            if (length < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error != ENOBUFS)
                    throw new Win32Exception(error, "reading audit records");
                Lost = true; // the kernel dropped records for this socket; reading goes on
                continue;
            }
            foreach (var record in Parse(buffer.AsSpan(0, length)))
            {
                seen.Add(record);
                if (Matches(record, type, parts))
                    return true;
            }
        }
        return false;
    }

    /// <summary>True once the kernel has reported records dropped for want of room in the socket.</summary>
    public bool Lost { get; private set; }

    /// <summary>Every record read so far, in the kernel's order.</summary>
    public IReadOnlyList<(int Type, string Text)> Seen => seen;

    public static bool Matches((int Type, string Text) record, int type, string[] parts) =>
        record.Type == type && parts.All(record.Text.Contains);

    /// <summary>One datagram holds one or more netlink messages, each a header then the record's text.</summary>
    private static List<(int, string)> Parse(ReadOnlySpan<byte> datagram)
    {
        var records = new List<(int, string)>();
        while (datagram.Length >= HeaderSize)
        {
            var length = (int)BitConverter.ToUInt32(datagram);
            if (length < HeaderSize || length > datagram.Length)
                break;
            var type = BitConverter.ToUInt16(datagram[4..]);
            records.Add((type, Encoding.UTF8.GetString(datagram[HeaderSize..length]).TrimEnd('\0')));
            datagram = datagram[Math.Min(datagram.Length, (length + 3) & ~3)..];
        }
        return records;
    }

    public void Dispose() => close(fd);

    private const short PollIn = 1;
    private const int SolSocket = 1, SoRcvbufForce = 33, ENOBUFS = 105;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events, Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, uint* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int name, int* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
