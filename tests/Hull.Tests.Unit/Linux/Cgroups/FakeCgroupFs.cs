using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Interop;

namespace Hull.Tests.Unit.Linux.Cgroups;

/// <summary>
/// A cgroupfs made of a temp directory: each hierarchy is a directory with the files a cgroup of it has,
/// and a new cgroup (mkdir) gets the same files, as the kernel would give it. Writes go through the real
/// CgroupFs (so a missing file fails as on a kernel lacking it) and are also recorded in order.
/// </summary>
internal sealed class FakeCgroupFs : ICgroupFs, IDisposable
{
    readonly Dictionary<string, (string File, string Content)[]> hierarchies = [];
    readonly Dictionary<string, (int Errno, int After)> failures = [];

    public string Root { get; } = Directory.CreateTempSubdirectory("hull-fakecg-").FullName;

    /// <summary>Every successful write, in order: (path relative to Root, value).</summary>
    public List<(string Path, string Value)> Writes { get; } = [];

    /// <summary>Rewrites a value as the kernel would store it (clamping, "max"...): (relative path, written) → stored.</summary>
    public Func<string, string, string>? Store { get; set; }

    /// <summary>Called on each read (relative path, stored content) → content to return, to script kernel state changes.</summary>
    public Func<string, string, string>? OnRead { get; set; }

    /// <summary>Makes a hierarchy at Root/name whose cgroups all have these files (initial contents).</summary>
    public string Hierarchy(string name, params (string File, string Content)[] files)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        hierarchies[dir] = files;
        Populate(dir, files);
        return dir;
    }

    /// <summary>The next operation on this path (relative to Root), or the one after
    /// <paramref name="after"/> more, fails with errno, as the kernel would refuse it.</summary>
    public void FailOn(string relativePath, int errno, int after = 0) => failures[Path.Combine(Root, relativePath)] = (errno, after);

    public string Rel(string path) => Path.GetRelativePath(Root, path);

    public string Abs(string relative) => Path.Combine(Root, relative);

    public string Content(string relative) => File.ReadAllText(Abs(relative));

    public void Put(string relative, string content) => File.WriteAllText(Abs(relative), content);

    /// <summary>The values written to one file, in order.</summary>
    public List<string> WritesTo(string relative) => Writes.Where(w => w.Path == relative).Select(w => w.Value).ToList();

    static void Populate(string dir, (string File, string Content)[] files)
    {
        foreach (var (file, content) in files) File.WriteAllText(Path.Combine(dir, file), content);
    }

    void MaybeFail(string path, string what)
    {
        if (!failures.TryGetValue(path, out var failure)) return;
        if (failure.After > 0)
        {
            failures[path] = failure with { After = failure.After - 1 };
            return;
        }
        failures.Remove(path);
        throw new CgroupFsException($"{what} {path}: {CgroupNative.ErrorText(failure.Errno)}", path, failure.Errno);
    }

    public string ReadFile(string path)
    {
        MaybeFail(path, "cannot read");
        var content = CgroupFs.Instance.ReadFile(path);
        return OnRead is null ? content : OnRead(Rel(path), content);
    }

    public void WriteFile(string path, string value)
    {
        MaybeFail(path, $"cannot write \"{value}\" to");
        CgroupFs.Instance.WriteFile(path, Store is null ? value : Store(Rel(path), value));
        Writes.Add((Rel(path), value));
    }

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path)
    {
        MaybeFail(path, "cannot create cgroup");
        CgroupFs.Instance.CreateDirectory(path);
        var hierarchy = hierarchies.Keys.FirstOrDefault(h => path.StartsWith(h + "/", StringComparison.Ordinal));
        if (hierarchy is not null) Populate(path, hierarchies[hierarchy]);
    }

    /// <summary>Like the kernel: a cgroup with sub-cgroups or with processes in it cannot be removed.</summary>
    public void RemoveDirectory(string path)
    {
        MaybeFail(path, "cannot remove cgroup");
        if (!Directory.Exists(path)) throw new CgroupFsException($"cannot remove cgroup {path}: No such file or directory", path, CgroupNative.ENOENT);
        if (Directory.GetDirectories(path).Length > 0)
            throw new CgroupFsException($"cannot remove cgroup {path}: Device or resource busy", path, CgroupNative.EBUSY);
        var procs = Path.Combine(path, "cgroup.procs");
        if (File.Exists(procs) && File.ReadAllText(procs).Trim().Length > 0)
            throw new CgroupFsException($"cannot remove cgroup {path}: Device or resource busy", path, CgroupNative.EBUSY);
        foreach (var f in Directory.GetFiles(path)) File.Delete(f);
        Directory.Delete(path);
    }

    public IReadOnlyList<string> SubDirectories(string path) => CgroupFs.Instance.SubDirectories(path);

    public IReadOnlyList<string> FileNames(string path) => CgroupFs.Instance.FileNames(path);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
