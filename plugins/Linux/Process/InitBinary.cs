using System.Diagnostics.CodeAnalysis;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The hull-init executable: found next to the running hull (native build) or next to this plugin
/// (plugin host build), or at $HULL_INIT. Each container's init runs from a sealed in-memory copy,
/// so a process in the container that reaches /proc/PID/exe cannot overwrite the host's binary
/// (CVE-2019-5736).
/// </summary>
internal static unsafe class InitBinary
{
    public const string FileName = "hull-init";

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "NativeAOT has no assembly location; the executable's folder is tried next.")]
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("HULL_INIT") is { Length: > 0 } overridden)
            return File.Exists(overridden) ? overridden
                : throw new HullException($"HULL_INIT={overridden}: no such file");
        // In the plugin host build the assembly has a location; NativeAOT has none, and the
        // executable's own folder is the place.
        var pluginDir = Path.GetDirectoryName(typeof(InitBinary).Assembly.Location);
        foreach (var dir in new[] { pluginDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            var candidate = Path.Combine(dir, FileName);
            if (File.Exists(candidate)) return candidate;
        }
        throw new HullException($"cannot find {FileName} next to hull ({AppContext.BaseDirectory}): reinstall hull, or set HULL_INIT to its path");
    }

    /// <summary>
    /// A memfd holding a copy of <paramref name="path"/>, sealed against every change. The fd is
    /// close-on-exec: the exec of /proc/self/fd/N opens it before the close happens.
    /// </summary>
    public static int Seal(string path)
    {
        var src = Libc.Check(Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0), $"opening {path}");
        var mem = -1;
        try
        {
            mem = Libc.Check(Libc.memfd_create(FileName, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING), "memfd_create");
            var size = new FileInfo(path).Length;
            long offset = 0;
            while (offset < size)
            {
                var n = Libc.sendfile(mem, src, &offset, (nint)(size - offset));
                if (n < 0 && Libc.LastErrno == Errno.EINTR) continue;
                if (n <= 0) throw new HullException($"copying {path} into a sealed memfd: {Libc.Describe(Libc.LastErrno)}");
            }
            Libc.Check(Libc.fcntl(mem, Libc.F_ADD_SEALS,
                Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE), "sealing the init binary");
            return mem;
        }
        catch
        {
            if (mem >= 0) Libc.close(mem);
            throw;
        }
        finally
        {
            Libc.close(src);
        }
    }
}
