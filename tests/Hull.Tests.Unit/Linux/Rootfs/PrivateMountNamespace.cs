using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Hull.Tests.Unit.Linux.Rootfs;

/// <summary>
/// Runs code on a fresh thread that has its own mount namespace (unshare(CLONE_NEWNS) unshares the
/// calling thread's fs state only) with every mount made private first, so nothing it mounts can
/// reach the host; the namespace and all its mounts vanish when the thread ends. Needs root.
/// </summary>
[SupportedOSPlatform("linux")]
static class PrivateMountNamespace
{
    const int CLONE_NEWNS = 0x20000;
    const ulong MS_REC = 16384, MS_PRIVATE = 1 << 18;

    public static bool Available => Environment.IsPrivilegedProcess;

    public static T Run<T>(Func<T> body)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (unshare(CLONE_NEWNS) != 0) throw new InvalidOperationException($"unshare: errno {Marshal.GetLastPInvokeError()}");
                if (mount(null, "/", null, MS_REC | MS_PRIVATE, null) != 0) throw new InvalidOperationException($"mount --make-rprivate /: errno {Marshal.GetLastPInvokeError()}");
                result = body();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null) throw new AggregateException(error.Message, error);
        return result;
    }

    // Runtime marshalling is fine in tests (no AOT); the product uses source-generated imports.
    [DllImport("libc", SetLastError = true)]
    private static extern int unshare(int flags);

    static int mount(string? source, string target, string? type, ulong flags, string? data) =>
        Hull.Plugins.Linux.Interop.Libc.Fs.mount(source, target, type, flags, data);
}
