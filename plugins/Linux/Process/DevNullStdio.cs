using Hull.Plugins.Linux.Interop;
using static Hull.Plugins.Linux.Interop.Libc.Fs;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// runc's reOpenDevNull: stdio that is the null device (`run -d &lt;/dev/null`) is the host's
/// /dev/null, on a mount the container does not have. After pivot_root it is replaced by the
/// container's own /dev/null, so no file of the container lives outside its mounts (CRIU refuses
/// to dump such a file).
/// </summary>
internal static class DevNullStdio
{
    internal static void Reopen()
    {
        // The container's /dev/null, only if it really is the null device (never a symlink or file of the image).
        var fd = openat2(AT_FDCWD, "/dev/null", (ulong)(O_RDWR | O_CLOEXEC), 0, RESOLVE_NO_SYMLINKS);
        if (fd < 0) return;
        try
        {
            if (!IsNullDevice(fd)) return;
            for (var stdio = 0; stdio < 3; stdio++)
                if (IsNullDevice(stdio))
                    Libc.Check(Libc.dup3(fd, stdio, 0), $"pointing fd {stdio} at the container's /dev/null");
        }
        finally
        {
            Libc.close(fd);
        }
    }

    static bool IsNullDevice(int fd)
    {
        try
        {
            var st = Stat(fd, "", $"stat fd {fd}");
            return (st.Mode & S_IFMT) == S_IFCHR && st.RdevMajor == 1 && st.RdevMinor == 3;
        }
        catch (SyscallException)
        {
            // A closed stdio fd: nothing to replace.
            return false;
        }
    }
}
