using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups.V2;

/// <summary>hugetlb in the unified hierarchy, used by the v2 manager and by the v1 manager on a hybrid host.</summary>
internal static class V2Hugetlb
{
    /// <summary>
    /// Makes sure hugetlb is enabled from the hierarchy root down to <paramref name="dir"/>, so its
    /// hugetlb.* files exist. A hybrid host does not enable it by default.
    /// </summary>
    public static void Enable(ICgroupFs fs, string dir, string resource)
    {
        if (fs.TryRead(Path.Combine(dir, "cgroup.controllers"))?.Split(' ').Contains("hugetlb") == true) return;
        var root = V2Tree.Root(fs, dir);
        if (fs.TryRead(Path.Combine(root, "cgroup.controllers"))?.Split(' ').Contains("hugetlb") != true)
            throw new CgroupException($"cannot apply {resource}: the hugetlb controller is neither mounted as a v1 hierarchy nor available in the unified hierarchy ({root})");
        var levels = new List<string>();
        for (var p = Path.GetDirectoryName(dir); p is not null && p.Length >= root.Length; p = Path.GetDirectoryName(p))
        {
            levels.Insert(0, p);
            if (p == root) break;
        }
        foreach (var level in levels)
        {
            try { fs.WriteFile(Path.Combine(level, "cgroup.subtree_control"), "+hugetlb"); }
            catch (CgroupFsException e)
            {
                throw new CgroupException($"cannot apply {resource}: cannot enable the hugetlb controller in {level}: {e.Message}", e);
            }
        }
    }

    public static void Set(ResourceWriter w, IReadOnlyList<LinuxHugepageLimit> limits)
    {
        foreach (var l in limits)
        {
            var resource = $"linux.resources.hugepageLimits[{l.Pagesize}]";
            w.Write($"hugetlb.{l.Pagesize}.max", l.Limit, resource);
            // Keep reservations (Linux 5.7+) under the same limit, or reserving pages would still succeed.
            if (w.Has($"hugetlb.{l.Pagesize}.rsvd.max")) w.Write($"hugetlb.{l.Pagesize}.rsvd.max", l.Limit, resource);
        }
    }
}
