using System.Diagnostics;
using System.Runtime.InteropServices;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Criu.Native;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Criu;

/// <summary>Whether this machine can run CRIU, and why not: every CRIU test skips with that reason.</summary>
public static class CriuMachine
{
    static readonly Lazy<(string? Path, string? Problem)> probe = new(Probe);

    public static string? CriuPath => probe.Value.Path;

    /// <summary>Null when CRIU is usable; otherwise the reason the CRIU tests skip.</summary>
    public static string? Problem => probe.Value.Problem;

    static (string?, string?) Probe()
    {
        if (!Tools.IsRoot) return (null, "CRIU needs root");
        var criu = Tools.Which("criu");
        if (criu is null) return (null, "criu is not on PATH (install it with build/setup.sh --criu)");
        var check = Tools.Run(criu, ["check"]);
        if (check.ExitCode != 0) return (criu, $"`criu check` fails on this machine: {check.Stderr.Trim()}");
        return (criu, null);
    }

    /// <summary>Whether the kernel has soft-dirty page tracking (pre-dump, --parent-path).</summary>
    public static bool HasDirtyTracking => Tools.Run(CriuPath!, ["check", "--feature", "mem_dirty_track"]).ExitCode == 0;
}

/// <summary>The host log, kept in memory for assertions.</summary>
public sealed class ListLog : IHullLog
{
    public List<string> Lines { get; } = [];
    public bool IsDebugEnabled => true;
    public void Debug(string message) => Lines.Add("debug: " + message);
    public void Info(string message) => Lines.Add("info: " + message);
    public void Warn(string message) => Lines.Add("warn: " + message);
    public void Error(string message) => Lines.Add("error: " + message);
}

/// <summary>
/// A process tree that counts: `setsid busybox sh` writing 1, 2, 3, ... to a file ten times a
/// second, stdio on /dev/null, in its own session so CRIU needs no --shell-job.
/// </summary>
public sealed partial class CounterProcess : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("hull-criu-counter-").FullName;
    public int Pid { get; private set; }
    readonly Process started;

    public CounterProcess()
    {
        // Written aside and renamed into place: a dump can never freeze it with the file empty.
        const string loop = "i=0; while :; do i=$((i+1)); echo $i > file.new; mv file.new file; sleep 0.1; done";
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = Dir };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec setsid /bin/busybox sh -c '{loop}' </dev/null >/dev/null 2>&1");
        started = Process.Start(psi)!;
        Pid = started.Id;
    }

    public string CounterFile => Path.Combine(Dir, "file");

    public int Value
    {
        get
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                try
                {
                    if (int.TryParse(File.ReadAllText(CounterFile).Trim(), out var v)) return v;
                }
                catch (FileNotFoundException) { }
                Thread.Sleep(10);
            }
            return 0;
        }
    }

    public void WaitUntilAtLeast(int value)
    {
        if (!Poll.Until(() => Value >= value))
            throw new TimeoutException($"the counter did not reach {value} (at {Value})");
    }

    public bool IsAlive => File.Exists($"/proc/{Pid}/stat") && !File.ReadAllText($"/proc/{Pid}/stat").Contains(") Z ");

    /// <summary>
    /// The dumped tree is gone, zombies included: CRIU restores the same pids, and a `sleep` child
    /// orphaned by the dump is reaped by the machine's init only when it gets round to it.
    /// </summary>
    public void WaitUntilTreeIsGone()
    {
        Assert.True(started.WaitForExit(5000), "CRIU did not end the dumped tree");
        if (!Poll.Until(() => !SessionMembers().Any(), TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"processes of session {Pid} are still there: {string.Join(' ', SessionMembers())}");
    }

    IEnumerable<int> SessionMembers()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; }
            // Fields after the command: state ppid pgrp session ...
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 3 && fields[3] == Pid.ToString()) yield return pid;
        }
    }

    /// <summary>After a restore the tree is our child again (rst_sibling), unknown to Process: reap it ourselves.</summary>
    public void AdoptRestored(int pid) => restoredPid = pid;

    int? restoredPid;

    public void Dispose()
    {
        if (restoredPid is { } pid)
        {
            KillGroup(pid);
            Spawner.Wait(pid);
        }
        else if (!started.HasExited)
        {
            KillGroup(Pid);
            started.WaitForExit();
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    // kill(2) itself: Process.Kill believes a restored pid has exited (it reaped the original),
    // and a /bin/kill child would exit while .NET's SIGCHLD handling is stuck on our unknown child.
    static void KillGroup(int pid) => kill(-pid, 9);

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);
}
