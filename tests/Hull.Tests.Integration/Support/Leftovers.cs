namespace Hull.Tests.Integration.Support;

/// <summary>What a container may leave on the host: what "nothing left behind" checks.</summary>
public static class Leftovers
{
    /// <summary>Mount points under <paramref name="path"/> (a bundle) in the host's mount table.</summary>
    public static IReadOnlyList<string> MountsUnder(string path) =>
        [.. File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(path, StringComparison.Ordinal))];

    /// <summary>Processes holding an fd or cwd under <paramref name="path"/> (a runtime root: the
    /// init holds its exec fifo there; a bundle: the init's cwd before pivot_root).</summary>
    public static IReadOnlyList<int> ProcessesHolding(string path)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var links = Directory.GetFileSystemEntries(Path.Combine(dir, "fd")).Append(Path.Combine(dir, "cwd"));
                if (links.Any(l => new FileInfo(l).LinkTarget?.StartsWith(path, StringComparison.Ordinal) == true)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>cgroup directories named after the container id, in any hierarchy.</summary>
    public static IReadOnlyList<string> CgroupsNamed(string id)
    {
        var found = new List<string>();
        void Walk(string dir, int depth)
        {
            if (depth > 4) return;
            string[] subs;
            try { subs = Directory.GetDirectories(dir); } catch (IOException) { return; } catch (UnauthorizedAccessException) { return; }
            foreach (var sub in subs)
            {
                if (Path.GetFileName(sub).Contains(id, StringComparison.Ordinal)) found.Add(sub);
                Walk(sub, depth + 1);
            }
        }
        Walk("/sys/fs/cgroup", 0);
        return found;
    }
}
