namespace Hull.Plugins.Linux.Cgroups.V2;

/// <summary>Creating a cgroup in the unified hierarchy with its controllers enabled from the root down.</summary>
internal static class V2Tree
{
    /// <summary>
    /// The hierarchy root above <paramref name="dir"/>: the top-most ancestor that still has cgroup.controllers
    /// (its parent is whatever the cgroup2 filesystem is mounted on). Works for any mount point.
    /// </summary>
    public static string Root(ICgroupFs fs, string dir)
    {
        var root = dir;
        for (var p = Path.GetDirectoryName(dir); p is not null && fs.FileExists(Path.Combine(p, "cgroup.controllers")); p = Path.GetDirectoryName(p))
            root = p;
        return root;
    }

    /// <summary>
    /// mkdir -p, enabling in every ancestor's cgroup.subtree_control all the controllers the root offers, so
    /// the new cgroup can use them (runc's CreateCgroupPath). A controller that cannot be enabled (rootless,
    /// no-internal-process rule) is left off; setting a limit that needs it fails later with a clear error.
    /// </summary>
    public static List<string> Create(ICgroupFs fs, string dir, bool needsDomainControllers)
    {
        var created = CgroupTree.CreateAll(fs, dir);
        try
        {
            var root = Root(fs, dir);
            var available = (fs.TryRead(Path.Combine(root, "cgroup.controllers")) ?? "")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var levels = new List<string>();
            for (var p = dir; p.Length >= root.Length; p = Path.GetDirectoryName(p)!)
            {
                levels.Insert(0, p);
                if (p == root) break;
            }
            for (var i = 0; i < levels.Count; i++)
            {
                if (i > 0) CheckType(fs, levels[i], needsDomainControllers);
                if (i < levels.Count - 1 && available.Length > 0) Enable(fs, levels[i], available);
            }
            return created;
        }
        catch
        {
            CgroupTree.RemoveCreated(fs, created);
            throw;
        }
    }

    /// <summary>
    /// A cgroup in "domain invalid" state (a sibling subtree made it threaded) can only take threaded
    /// controllers: switch it to threaded when no domain controller is needed, else refuse clearly.
    /// </summary>
    static void CheckType(ICgroupFs fs, string level, bool needsDomainControllers)
    {
        var type = fs.TryRead(Path.Combine(level, "cgroup.type"))?.Trim();
        switch (type)
        {
            case "domain invalid" when needsDomainControllers:
                throw new CgroupException($"cannot use cgroup {level} with memory, io, cpu or hugetlb limits: it is in an invalid (threaded) state");
            case "domain invalid":
                fs.WriteFile(Path.Combine(level, "cgroup.type"), "threaded");
                break;
            case "threaded" or "domain threaded" when needsDomainControllers:
                throw new CgroupException($"cannot use cgroup {level} with memory, io, cpu or hugetlb limits: it is in {type} mode");
        }
    }

    /// <summary>Enables the controllers all at once, else one by one so one refusal does not block the rest.</summary>
    public static void Enable(ICgroupFs fs, string level, IReadOnlyList<string> controllers)
    {
        var file = Path.Combine(level, "cgroup.subtree_control");
        try { fs.WriteFile(file, string.Join(' ', controllers.Select(c => "+" + c))); }
        catch (CgroupFsException)
        {
            foreach (var c in controllers)
                try { fs.WriteFile(file, "+" + c); } catch (CgroupFsException) { }
        }
    }
}
