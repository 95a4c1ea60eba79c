using System.Diagnostics;
using System.Text.Json.Nodes;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.CgroupCommands;

/// <summary>
/// pause/resume, events and delete --force of a real container on a pure cgroup v2 host: hull runs in a
/// private mount namespace whose /sys/fs/cgroup is only cgroup2 (the v1 hierarchies unmounted there). Only
/// hugetlb is free as a v2 controller on these machines, so this covers the core (freeze, events, kill).
/// </summary>
public sealed class CgroupV2CommandTests : IDisposable
{
    readonly Runtime hull = Runtime.Hull();
    readonly List<Bundle> bundles = [];
    Process? holder;

    /// <summary>Starts the process that holds the v2-only mount namespace, or skips.</summary>
    void RequireV2Namespace()
    {
        Runtime.RequireContainers();
        Skip.If(Tools.Which("unshare") is null || Tools.Which("nsenter") is null, "unshare and nsenter (util-linux) are needed");
        var psi = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-m", "--propagation", "private", "sh", "-c",
                     "umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && echo ready && exec sleep 600" })
            psi.ArgumentList.Add(a);
        holder = Process.Start(psi)!;
        var ready = holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        // The holder only exits when set-up failed, so its stderr is read to the end only then.
        if (ready != "ready") throw new SkipException("cannot make a mount namespace with only cgroup2: " + holder.StandardError.ReadToEnd().Trim());
    }

    /// <summary>hull inside the v2-only namespace; stdio are files so a detached container never holds a pipe.</summary>
    CommandResult Hull(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("hull-v2-stdio-").FullName;
        try
        {
            var quoted = string.Join(' ', ((string[])[hull.Binary, "--root", hull.Root, .. args]).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
            var r = Tools.Run("nsenter", ["-t", holder!.Id.ToString(), "-m", "/bin/sh", "-c", $"exec {quoted} </dev/null >{dir}/out 2>{dir}/err"]);
            // No files: nsenter or sh failed before hull ran, and said why itself.
            if (!File.Exists($"{dir}/out")) return r;
            return new CommandResult(r.ExitCode, File.ReadAllText($"{dir}/out"), File.ReadAllText($"{dir}/err"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    string Status(string id)
    {
        var r = Hull("state", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!["status"]!.GetValue<string>();
    }

    /// <summary>The container's cgroup as the namespace sees it, reached through the holder's root.</summary>
    string CgroupDir(string id)
    {
        var path = JsonNode.Parse(File.ReadAllText(Path.Combine(hull.Root, id, "state.json")))!["cgroupPaths"]![""]!.GetValue<string>();
        return $"/proc/{holder!.Id}/root{path}";
    }

    static long Ticks(int pid)
    {
        var f = new FileInfo($"/proc/{pid}/root/dev/shm/ticks");
        return f.Exists ? f.Length : 0;
    }

    [SkippableFact]
    public void PauseResumeStatsAndDeleteForceOnCgroupV2()
    {
        RequireV2Namespace();
        var b = Bundle.Create("sh", "-c", "while true; do echo >> /dev/shm/ticks; done");
        bundles.Add(b);
        var id = Runtime.NewId("v2");
        var r = Hull("run", "-d", "--bundle", b.Dir, id);
        Assert.True(r.ExitCode == 0, r.ToString());
        var pid = JsonNode.Parse(Hull("state", id).Stdout)!["pid"]!.GetValue<int>();
        var dir = CgroupDir(id);
        Assert.Contains(pid.ToString(), File.ReadAllText(Path.Combine(dir, "cgroup.procs")));
        Poll.Require(() => Ticks(pid) > 0, "the counter runs");

        Assert.Equal(0, Hull("pause", id).ExitCode);
        Assert.Equal("paused", Status(id));
        Assert.Equal("1", File.ReadAllText(Path.Combine(dir, "cgroup.freeze")).Trim());
        var frozenAt = Ticks(pid);
        Thread.Sleep(300);
        Assert.Equal(frozenAt, Ticks(pid));

        Assert.Equal(0, Hull("resume", id).ExitCode);
        Assert.Equal("running", Status(id));
        Poll.Require(() => Ticks(pid) > frozenAt, "the counter goes on after resume");

        var stats = Hull("events", "--stats", id);
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.True(JsonNode.Parse(stats.Stdout)!["data"]!["cpu"]!["usage"]!["total"]!.GetValue<ulong>() > 0);

        Assert.Equal(0, Hull("pause", id).ExitCode);
        r = Hull("delete", "--force", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(Directory.Exists(dir), dir + " left behind");
        Assert.Empty(hull.Ids());
    }

    public void Dispose()
    {
        if (holder is not null)
        {
            // Containers made in the namespace are deleted there, where their cgroup paths mean something.
            foreach (var id in hull.Ids()) Hull("delete", "--force", id);
            holder.Kill();
            holder.WaitForExit();
            holder.Dispose();
        }
        hull.Dispose();
        foreach (var b in bundles) b.Dispose();
    }
}
