using System.Text;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>One cgroupfs operation failed; <see cref="Errno"/> tells callers why (EBUSY, ENOENT, EACCES...).</summary>
internal sealed class CgroupFsException(string message, string path, int errno) : HullException(message)
{
    public string Path { get; } = path;
    public int Errno { get; } = errno;
    public bool IsNotFound => Errno is CgroupNative.ENOENT or CgroupNative.ENOTDIR;
    public bool IsPermission => Errno is CgroupNative.EACCES or CgroupNative.EPERM or CgroupNative.EROFS;
}

/// <summary>
/// The seam between the cgroup managers and the kernel: every file and directory operation on a
/// cgroup goes through here, so unit tests can point the managers at a fake cgroupfs directory.
/// </summary>
internal interface ICgroupFs
{
    /// <summary>The whole file; a missing file is a CgroupFsException with ENOENT.</summary>
    string ReadFile(string path);

    /// <summary>Writes the value with one write(2), as cgroupfs needs; never creates the file.</summary>
    void WriteFile(string path, string value);

    bool FileExists(string path);

    bool DirectoryExists(string path);

    /// <summary>mkdir of one level; EEXIST is reported as a CgroupFsException like any other errno.</summary>
    void CreateDirectory(string path);

    /// <summary>rmdir of one (empty-of-children) cgroup.</summary>
    void RemoveDirectory(string path);

    IReadOnlyList<string> SubDirectories(string path);

    /// <summary>The names of the files in a cgroup directory (to find hugetlb.&lt;size&gt;.* files).</summary>
    IReadOnlyList<string> FileNames(string path);
}

/// <summary>The real cgroupfs, through libc so every failure keeps its errno.</summary>
internal sealed class CgroupFs : ICgroupFs
{
    public static CgroupFs Instance { get; } = new();

    public unsafe string ReadFile(string path)
    {
        var fd = CgroupNative.Open(path, CgroupNative.O_RDONLY | CgroupNative.O_CLOEXEC, 0);
        if (fd < 0) throw Failure("cannot read", path);
        try
        {
            var buffer = new byte[4096];
            var used = 0;
            while (true)
            {
                if (used == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                nint n;
                fixed (byte* p = &buffer[used]) n = CgroupNative.Read(fd, p, buffer.Length - used);
                if (n < 0)
                {
                    if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == CgroupNative.EINTR) continue;
                    throw Failure("cannot read", path);
                }
                if (n == 0) return Encoding.UTF8.GetString(buffer, 0, used);
                used += (int)n;
            }
        }
        finally { CgroupNative.Close(fd); }
    }

    public unsafe void WriteFile(string path, string value)
    {
        var fd = CgroupNative.Open(path, CgroupNative.O_WRONLY | CgroupNative.O_TRUNC | CgroupNative.O_CLOEXEC, 0);
        if (fd < 0) throw Failure($"cannot write \"{value}\" to", path);
        try
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            while (true)
            {
                nint n;
                fixed (byte* p = bytes) n = CgroupNative.Write(fd, p, bytes.Length);
                if (n >= 0) return;
                if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != CgroupNative.EINTR)
                    throw Failure($"cannot write \"{value}\" to", path);
            }
        }
        finally { CgroupNative.Close(fd); }
    }

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path)
    {
        if (CgroupNative.Mkdir(path, 0x1ed /* 0755 */) < 0) throw Failure("cannot create cgroup", path);
    }

    public void RemoveDirectory(string path)
    {
        if (CgroupNative.Rmdir(path) < 0) throw Failure("cannot remove cgroup", path);
    }

    public IReadOnlyList<string> SubDirectories(string path)
    {
        try { return Directory.GetDirectories(path); }
        catch (DirectoryNotFoundException) { return []; }
    }

    public IReadOnlyList<string> FileNames(string path)
    {
        try { return Directory.GetFiles(path).Select(f => Path.GetFileName(f)).ToArray(); }
        catch (DirectoryNotFoundException) { return []; }
    }

    static CgroupFsException Failure(string what, string path)
    {
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return new CgroupFsException($"{what} {path}: {CgroupNative.ErrorText(errno)}", path, errno);
    }
}

/// <summary>Small readers shared by every controller.</summary>
internal static class CgroupFsExtensions
{
    /// <summary>The file's text without the trailing newline; null when the file does not exist.</summary>
    public static string? TryRead(this ICgroupFs fs, string path)
    {
        try { return fs.ReadFile(path).TrimEnd('\n'); }
        catch (CgroupFsException e) when (e.IsNotFound || e.Errno == CgroupNative.ENODEV) { return null; }
    }

    /// <summary>A single number; "max" reads as ulong.MaxValue as runc does. Missing or malformed is 0.</summary>
    public static ulong ReadUInt64(this ICgroupFs fs, string path) => ParseUInt64(fs.TryRead(path));

    public static ulong ParseUInt64(string? text)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t)) return 0;
        if (t == "max") return ulong.MaxValue;
        if (ulong.TryParse(t, out var v)) return v;
        // Negative values (-1 in some v1 files) mean "no limit / not set": report 0 as runc does.
        return 0;
    }

    /// <summary>"key value" lines (memory.stat, cpu.stat, memory.events...) in file order.</summary>
    public static IEnumerable<(string Key, ulong Value)> ReadKeyValues(this ICgroupFs fs, string path)
    {
        var text = fs.TryRead(path);
        if (text is null) yield break;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2) yield return (parts[0], ParseUInt64(parts[1]));
        }
    }

    /// <summary>The pids listed in a cgroup.procs file.</summary>
    public static IEnumerable<int> ReadPids(this ICgroupFs fs, string procsPath)
    {
        var text = fs.TryRead(procsPath);
        if (text is null) yield break;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line, out var pid)) yield return pid;
    }
}
