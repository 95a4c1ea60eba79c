using System.Runtime.InteropServices;
using System.Text;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// runc gives each container a session keyring of its own (named after the container), so that
/// containers never share the host's keys; --no-new-keyring keeps the caller's.
/// </summary>
internal static unsafe class SessionKeyring
{
    const long KEYCTL_DESCRIBE = 6, KEYCTL_SETPERM = 5, KEYCTL_JOIN_SESSION_KEYRING = 1;
    /// <summary>KEY_USR_SEARCH, as runc adds it: the container's user may search its own keyring.</summary>
    const uint UserSearch = 0x00080000;

    static long KeyctlNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 250,
        Architecture.Arm64 => 219,
        var a => throw new HullException($"keyctl: unknown syscall number on {a}"),
    };

    public static void Join(string containerId)
    {
        var name = Encoding.UTF8.GetBytes(containerId + "\0");
        long id;
        fixed (byte* p = name)
            id = Libc.RawSyscall4(KeyctlNumber, KEYCTL_JOIN_SESSION_KEYRING, (long)p, 0, 0);
        if (id < 0)
        {
            // Kernels without keys (or that refuse them in a user namespace) run the container as runc does: without.
            if (Libc.LastErrno is Errno.ENOSYS or Errno.EACCES or Errno.EPERM) return;
            throw new HullException($"joining a session keyring for the container: {Libc.Describe(Libc.LastErrno)}");
        }
        var description = stackalloc byte[512];
        var n = Libc.RawSyscall4(KeyctlNumber, KEYCTL_DESCRIBE, id, (long)description, 512);
        if (n <= 0) throw new HullException($"describing the container's keyring: {Libc.Describe(Libc.LastErrno)}");
        // "type;uid;gid;perm;description", perm in hex.
        var fields = Encoding.UTF8.GetString(description, (int)n - 1).Split(';');
        if (fields.Length < 4 || !uint.TryParse(fields[3], System.Globalization.NumberStyles.HexNumber, null, out var perm))
            throw new HullException("describing the container's keyring: unexpected answer from the kernel");
        if (Libc.RawSyscall4(KeyctlNumber, KEYCTL_SETPERM, id, perm | UserSearch, 0) < 0)
            throw new HullException($"setting the permissions of the container's keyring: {Libc.Describe(Libc.LastErrno)}");
    }
}
