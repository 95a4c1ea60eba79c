using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Process;

/// <summary>exec --cgroup: which of the container's (existing) sub-cgroups exec's process joins.
/// A bad argument fails exec (exit 255, "exec failed: ..."), as runc's does.</summary>
internal static class ExecCgroups
{
    /// <summary>
    /// runc's getSubCgroupPaths: each argument is "[controller[,controller...]:]path"; a path without
    /// controllers is for every controller and must then be the only argument. The result maps a
    /// controller (or "" for all) to its sub-path.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(IReadOnlyList<string> args)
    {
        var subs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arg in args)
        {
            var parts = arg.Split(':');
            if (parts.Length > 2) throw new HullException($"invalid --cgroup argument: {arg}");
            if (parts.Length == 1)
            {
                if (args.Count != 1) throw new HullException($"invalid --cgroup argument: {arg} (missing <controller>: prefix)");
                subs[""] = Checked(arg, arg);
                continue;
            }
            foreach (var controller in parts[0].Split(','))
                subs[controller] = Checked(parts[1], arg);
        }
        return subs;
    }

    /// <summary>A sub-cgroup stays below the container's: relative, no "..".</summary>
    static string Checked(string sub, string arg)
    {
        var trimmed = sub.Trim('/');
        if (trimmed.Length == 0 || trimmed.Split('/').Any(p => p is "" or "." or ".."))
            throw new HullException($"invalid --cgroup argument: {arg} (the sub-cgroup must be a path below the container's cgroup, without \"..\")");
        return trimmed;
    }

    /// <summary>The container's cgroup paths with the sub-cgroups applied: a controller's own
    /// sub-path first, else the one for every controller.</summary>
    public static IReadOnlyDictionary<string, string> Apply(IReadOnlyDictionary<string, string> containerPaths, IReadOnlyDictionary<string, string> subs)
    {
        foreach (var controller in subs.Keys)
            if (controller.Length > 0 && !containerPaths.ContainsKey(controller))
                throw new HullException($"invalid --cgroup argument: the container has no {controller} cgroup");
        var joined = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (controller, dir) in containerPaths)
            joined[controller] = subs.TryGetValue(controller, out var sub) || subs.TryGetValue("", out sub)
                ? Path.Combine(dir, sub)
                : dir;
        return joined;
    }
}
