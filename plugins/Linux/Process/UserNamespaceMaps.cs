using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Rootless;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// Writes the uid/gid maps of the init's new user namespace from the parent, which has the
/// privileges the init lacks, the way <see cref="IdMapPlan"/> says: directly, with "deny" to
/// setgroups first when the plan says so, or through newuidmap/newgidmap.
/// </summary>
/// <param name="writeFile">Writes a /proc file in one write().</param>
/// <param name="runHelper">Runs newuidmap/newgidmap with these arguments; throws when it fails.</param>
internal sealed class UserNamespaceMaps(Action<string, string> writeFile, Action<string, IReadOnlyList<string>> runHelper)
{
    public static UserNamespaceMaps Proc { get; } = new(WriteProcFile, RunHelper);

    public static string Format(IReadOnlyList<LinuxIdMapping> maps) =>
        string.Concat(maps.Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));

    public void Write(int pid, IdMapPlan plan)
    {
        if (plan.DenySetgroups) writeFile($"/proc/{pid}/setgroups", "deny");
        foreach (var step in new[] { plan.Uid, plan.Gid })
        {
            if (step.Helper is null) writeFile($"/proc/{pid}/{step.FileName}", Format(step.Maps));
            else runHelper(step.Helper, step.HelperArgs(pid));
        }
    }

    /// <summary>One write() per file: the kernel accepts a map only once, and only in one write.</summary>
    static unsafe void WriteProcFile(string path, string text)
    {
        var fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new HullException($"opening {path}: {Libc.Describe(Libc.LastErrno)}");
        try
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(text);
            fixed (byte* p = bytes)
            {
                var written = Libc.write(fd, p, bytes.Length);
                if (written < 0) throw new HullException($"writing {path} (\"{text.TrimEnd()}\"): {Libc.Describe(Libc.LastErrno)}");
                if (written != bytes.Length) throw new HullException($"writing {path}: short write");
            }
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>newuidmap/newgidmap check the ranges against /etc/subuid and /etc/subgid; their own
    /// message says which range was refused.</summary>
    static void RunHelper(string helper, IReadOnlyList<string> args)
    {
        var outcome = Hooks.HookProcess.Run(helper, [helper, .. args], ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], [], TimeSpan.FromSeconds(10), null);
        if (outcome.Succeeded) return;
        var why = outcome.TimedOut ? "timed out after 10s"
            : outcome.Signal is { } s ? $"was killed by signal {s}"
            : $"exited with status {outcome.ExitCode}";
        var said = outcome.Stderr.Trim() is { Length: > 0 } e ? $": {e}" : "";
        var file = helper.EndsWith(IdMapPlan.GidHelper, StringComparison.Ordinal) ? "/etc/subgid" : "/etc/subuid";
        throw new HullException(
            $"{helper} {string.Join(' ', args)} {why}{said}: every range beyond your own id must be yours in {file}");
    }
}
