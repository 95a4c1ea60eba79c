using System.Diagnostics;

namespace Hull.Tests.Integration.Support;

/// <summary>The result of running a command: what a differential test compares.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs hull, runc and helpers as child processes with a timeout.</summary>
public static class Tools
{
    static readonly string RepoRoot = FindRepoRoot();

    /// <summary>The hull under test: $HULL_BIN, else out/hull in the repository.</summary>
    public static string HullPath { get; } =
        Environment.GetEnvironmentVariable("HULL_BIN") is { Length: > 0 } p ? p : Path.Combine(RepoRoot, "out", "hull");

    public static string PluginHostPath { get; } = Path.Combine(RepoRoot, "out", "hull-host", "hull");

    public static string Repo => RepoRoot;

    public static bool IsRoot => Environment.UserName == "root";

    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    public static CommandResult Run(string file, IEnumerable<string> args, string? stdin = null,
        IDictionary<string, string?>? env = null, string? cwd = null, int timeoutMs = 60_000)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = cwd ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env)
                if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var proc = Process.Start(psi)!;
        var stdout = proc.StandardOutput.ReadToEndAsync();
        var stderr = proc.StandardError.ReadToEndAsync();
        if (stdin is not null) proc.StandardInput.Write(stdin);
        proc.StandardInput.Close();
        if (!proc.WaitForExit(timeoutMs))
        {
            proc.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish in {timeoutMs} ms");
        }
        proc.WaitForExit();
        return new CommandResult(proc.ExitCode, stdout.Result, stderr.Result);
    }

    public static CommandResult Hull(params string[] args) => Run(HullPath, args);

    static string FindRepoRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "Hull.slnx"))) return dir;
        throw new InvalidOperationException("cannot find the repository root (Hull.slnx) above " + AppContext.BaseDirectory);
    }
}
