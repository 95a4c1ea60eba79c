namespace Hull.Plugins.Criu.Host;

/// <summary>Resolves a container path the way the kernel would inside the rootfs: symlinks followed, never above "/".</summary>
internal static class RootfsPath
{
    const int MaxLinks = 255;

    /// <param name="readLink">The link target of a clean absolute container path, or null if it is not a symlink (or missing).</param>
    public static string Resolve(string containerPath, Func<string, string?> readLink)
    {
        var pending = new Stack<string>(Split(containerPath).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = "/" + string.Join('/', resolved.Append(part));
            var target = readLink(candidate);
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }
            if (++links > MaxLinks) return candidate;
            if (target.StartsWith('/')) resolved.Clear();
            foreach (var p in Split(target).Reverse()) pending.Push(p);
        }
        return "/" + string.Join('/', resolved);
    }

    static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
}
