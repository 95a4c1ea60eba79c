using System.Runtime.InteropServices;
using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Interop;

/// <summary>
/// The libc seam: source-generated P/Invoke only (AOT-safe). Split by concern into partial files
/// (Libc.Process.cs, Libc.Fs.cs, ...); callers above this layer go through small interfaces so their
/// logic is testable without root.
/// </summary>
internal static unsafe partial class Libc
{
    internal const string Name = "libc";

    internal static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>strerror(errno) with a lower-case first letter, as runc (Go) words it: "no such file or directory".</summary>
    internal static string Describe(int errno)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        return text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : text;
    }

    /// <summary>Throws a HullException "what: strerror(errno)" when rc is -1; returns rc otherwise.</summary>
    internal static int Check(int rc, string what)
    {
        if (rc == -1) throw new HullException($"{what}: {Describe(LastErrno)}");
        return rc;
    }

    internal static long Check(long rc, string what)
    {
        if (rc == -1) throw new HullException($"{what}: {Describe(LastErrno)}");
        return rc;
    }

    /// <summary>Retries a call interrupted by a signal (EINTR), as every blocking call here must.</summary>
    internal static long Retry(Func<long> call)
    {
        long rc;
        do rc = call();
        while (rc == -1 && LastErrno == Errno.EINTR);
        return rc;
    }
}

/// <summary>The errno values the code reacts to (not just reports).</summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int EINTR = 4;
    internal const int EBADF = 9;
    internal const int ECHILD = 10;
    internal const int EAGAIN = 11;
    internal const int EACCES = 13;
    internal const int EEXIST = 17;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int EINVAL = 22;
    internal const int ENXIO = 6;
    internal const int ENOSYS = 38;
}
