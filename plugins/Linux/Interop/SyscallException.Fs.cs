using System.Runtime.InteropServices;
using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Interop;

/// <summary>
/// A failed syscall: "what: strerror" for the user, and the errno for callers that react to it
/// (ENOENT → create, EEXIST → keep, EPERM → fall back).
/// </summary>
internal sealed class SyscallException(string what, int errno)
    : HullException($"{what}: {Describe(errno)}")
{
    internal const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EAGAIN = 11, EACCES = 13, EBUSY = 16,
        EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSPC = 28, EROFS = 30, ENOSYS = 38,
        ELOOP = 40;

    public int Errno { get; } = errno;

    public static SyscallException FromLastError(string what) => new(what, Marshal.GetLastPInvokeError());

    /// <summary>strerror with a lower-case first letter, as runc (Go) words it.</summary>
    public static string Describe(int errno)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        return text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : text;
    }
}
