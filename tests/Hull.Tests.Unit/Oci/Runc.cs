using System.Diagnostics;
using Xunit;

namespace Hull.Tests.Unit.Oci;

/// <summary>Debian's runc, the reference Hull's documents are compared with; tests skip without it.</summary>
internal static class Runc
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => System.IO.Path.Combine(dir, "runc"))
        .FirstOrDefault(File.Exists);

    /// <summary>Runs runc (skipping the test if it is absent) and returns its standard output.</summary>
    public static string Run(string workingDirectory, params string[] args)
    {
        Skip.If(Path is null, "runc is not installed");
        var start = new ProcessStartInfo(Path!)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"runc {string.Join(' ', args)} failed: {error.Result}");
        return output;
    }
}
