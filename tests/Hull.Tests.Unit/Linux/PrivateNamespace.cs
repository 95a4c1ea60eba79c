using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Hull.Tests.Unit.Linux;

/// <summary>
/// Runs code on a fresh thread that has its own namespaces (unshare acts on the calling thread
/// only for these), with every mount made private first, so nothing it mounts or names can reach
/// the host; the namespaces and their mounts vanish when the thread ends. Needs root.
/// </summary>
[SupportedOSPlatform("linux")]
static class PrivateNamespace
{
    public const int CLONE_NEWNS = 0x20000, CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000;
    const ulong MS_REC = 16384, MS_PRIVATE = 1 << 18;

    public static bool Available => Environment.IsPrivilegedProcess;

    public static T Run<T>(Func<T> body) => Run(0, body);

    /// <summary>Runs <paramref name="body"/> in a new mount namespace plus the namespaces in <paramref name="more"/>.</summary>
    public static T Run<T>(int more, Func<T> body)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (unshare(CLONE_NEWNS | more) != 0) throw new InvalidOperationException($"unshare: errno {Marshal.GetLastPInvokeError()}");
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
