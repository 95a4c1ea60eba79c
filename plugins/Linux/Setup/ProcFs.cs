using System.Text;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using Microsoft.Win32.SafeHandles;
using static Hull.Plugins.Linux.Interop.Libc.Fs;

namespace Hull.Plugins.Linux.Setup;

/// <summary>
/// A procfs checked to be one: the root of a real procfs mount (fstatfs says PROC_SUPER_MAGIC and
/// it is inode 1), held by fd. Writes go to files opened beneath it with no symlink, magic link or
/// mount crossing, and each opened file is checked to be on procfs again — so a bind mount or
/// symlink planted over /proc (CVE-2019-16884 class) can never redirect a sysctl or
/// oom_score_adj write. The init opens the host's /proc before pivot_root and keeps the fd: it
/// stays usable after the old root is detached, and no container mount is on its way.
/// </summary>
internal sealed class ProcFs : IDisposable
{
    readonly SafeFileHandle root;

    ProcFs(SafeFileHandle root) => this.root = root;

    internal static ProcFs Open(string path = "/proc")
    {
        var fd = Libc.Fs.Open(AT_FDCWD, path, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, $"opening {path}");
        try
        {
            if (StatFileSystem(fd, $"statfs {path}").Type != PROC_SUPER_MAGIC || Stat(Fd(fd), "", $"stat {path}").Ino != 1)
                throw new HullException($"{path} is not the root of a procfs mount: refusing to write kernel settings through it");
            return new ProcFs(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="value"/> to <paramref name="relative"/> (e.g. "sys/net/ipv4/ip_forward").
    /// "self" may be used: it is a plain symlink inside procfs, resolved beneath it.</summary>
    internal void Write(string relative, string value)
    {
        using var file = OpenBeneath(relative, O_WRONLY);
        using var stream = new FileStream(file, FileAccess.Write, bufferSize: 0);
        try
        {
            stream.Write(Encoding.UTF8.GetBytes(value));
        }
        catch (IOException e)
        {
            throw new HullException($"writing \"{value}\" to /proc/{relative}: {e.Message}");
        }
    }

    internal string Read(string relative)
    {
        using var file = OpenBeneath(relative, O_RDONLY);
        using var stream = new FileStream(file, FileAccess.Read, bufferSize: 0);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    SafeFileHandle OpenBeneath(string relative, int flags)
    {
        var file = Libc.Fs.Open(Fd(root), relative, flags | O_NOFOLLOW,
            RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV, $"opening /proc/{relative}");
        if (StatFileSystem(file, $"statfs /proc/{relative}").Type != PROC_SUPER_MAGIC)
        {
            file.Dispose();
            throw new HullException($"/proc/{relative} is not on procfs: refusing to use it");
        }
        return file;
    }

    public void Dispose() => root.Dispose();
}
