using System.Diagnostics;

namespace Hull.Tests.Integration.Cgroups;

/// <summary>A shell child the test starts, places in cgroups, and always kills and reaps.</summary>
internal sealed class Child : IDisposable
{
    readonly Process process;
    readonly Task<string> stdout;
    readonly Task<string> stderr;

    public int Pid => process.Id;

    public Child(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        process = Process.Start(psi)!;
        stdout = process.StandardOutput.ReadToEndAsync();
        stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Sends a line to the script (scripts wait with `read` so the test can place them first).</summary>
    public void Go(string line = "go")
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    public bool Exited(TimeSpan within) => process.WaitForExit(within);

    public int ExitCode => process.ExitCode;

    public string Output(TimeSpan within)
    {
        Assert(process.WaitForExit(within), "the child did not finish");
        return stdout.Result + stderr.Result;
    }

    /// <summary>utime+stime of the child from /proc, in clock ticks: moves only while it runs.</summary>
    public long CpuTicks()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }

    /// <summary>The child's cgroup in one hierarchy, from /proc/PID/cgroup ("" for the unified one).</summary>
    public string CgroupOf(string controller) =>
        File.ReadAllLines($"/proc/{Pid}/cgroup").Select(l => l.Split(':', 3))
            .First(p => controller.Length == 0 ? p[0] == "0" : p[1].Split(',').Contains(controller))[2];

    static void Assert(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }

    bool disposed;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.WaitForExit(10_000);
        process.Dispose();
    }
}
