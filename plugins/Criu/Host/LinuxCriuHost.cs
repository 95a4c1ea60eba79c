using Hull.Abstractions.Errors;

namespace Hull.Plugins.Criu.Host;

/// <summary>The real <see cref="ICriuHost"/>: procfs and the filesystem.</summary>
internal sealed class LinuxCriuHost : ICriuHost
{
    public ulong NamespaceInode(string path)
    {
        // A namespace file's inode is the namespace's: the number in "net:[4026531840]". It is
        // read from the open file: /proc/self/fd of a bind mount of one (/run/netns/x) shows its path.
        SafeFileHandleOrThrow(path, out var handle);
        using (handle)
        {
            var fd = (int)handle.DangerousGetHandle();
            if (Native.Libc.FileSystemType(fd) != Native.Libc.NSFS_MAGIC)
                throw new HullException($"{path} is not a namespace file (a /proc/PID/ns/* file or a bind mount of one)");
            return Native.Libc.Inode(fd)
                ?? throw new HullException($"cannot read the inode of the namespace {path}: {Native.Libc.Describe(Native.Libc.LastErrno)}");
        }
    }

    static void SafeFileHandleOrThrow(string path, out Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HullException($"cannot open namespace {path}: {e.Message}", e);
        }
    }

    public bool IsFileInContainer(int pid, string containerPath)
    {
        var path = $"/proc/{pid}/root/{containerPath.TrimStart('/')}";
        return File.Exists(path);
    }

    public string ResolveInRootfs(string rootfs, string containerPath) => RootfsPath.Resolve(containerPath, p =>
    {
        try { return new FileInfo(Path.Combine(rootfs, p.TrimStart('/'))).LinkTarget; }
        catch (IOException) { return null; }
    });

    public IReadOnlyList<string> StdioDescriptors(int pid)
    {
        var descriptors = new List<string>(3);
        for (var fd = 0; fd < 3; fd++)
        {
            // A closed stdio fd has no link; CRIU then has nothing to map either.
            string? target;
            try { target = new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget; }
            catch (IOException) { target = null; }
            descriptors.Add(target ?? "/dev/null");
        }
        return descriptors;
    }

    public IReadOnlyList<KeyValuePair<string, string>> CgroupsOf(int pid) =>
        ParseProcCgroup(File.ReadAllText($"/proc/{pid}/cgroup"));

    /// <summary>"4:cpu,cpuacct:/hull/x" lines → ("cpu,cpuacct", "/hull/x"); the v2 line "0::/x" → ("", "/x").</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> ParseProcCgroup(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var first = line.IndexOf(':');
            var second = first < 0 ? -1 : line.IndexOf(':', first + 1);
            if (second < 0) continue;
            result.Add(new(line[(first + 1)..second], line[(second + 1)..]));
        }
        return result;
    }

    public bool IsCgroup2Unified => File.Exists("/sys/fs/cgroup/cgroup.controllers");
}
