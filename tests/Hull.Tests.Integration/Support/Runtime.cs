using Xunit;

namespace Hull.Tests.Integration.Support;

/// <summary>
/// An OCI runtime under test (out/hull or Debian's runc) with a private --root, so tests never see
/// each other's containers. Dispose force-deletes whatever is left and removes the root.
/// </summary>
public sealed class Runtime : IDisposable
{
    static int counter;

    public string Name { get; }
    public string Binary { get; }
    public string Root { get; }

    Runtime(string name, string binary)
    {
        Name = name;
        Binary = binary;
        Root = Directory.CreateTempSubdirectory($"hull-root-{name}-").FullName;
    }

    public static Runtime Hull() => new("hull", Tools.HullPath);

    public static Runtime Runc() => new("runc", Tools.Which("runc") ?? "/usr/sbin/runc");

    /// <summary>Skips the test unless it can run real containers: root, busybox, the built hull.</summary>
    public static void RequireContainers()
    {
        Skip.IfNot(Tools.IsRoot, "real containers need root");
        Skip.IfNot(Bundle.BusyboxAvailable, $"{Bundle.BusyboxPath} (busybox-static) is missing");
        Skip.IfNot(File.Exists(Tools.HullPath), $"{Tools.HullPath} is not built: run build/build.sh");
    }

    public static void RequireRunc() => Skip.If(Tools.Which("runc") is null, "Debian's runc is not installed");

    /// <summary>A container id no other test uses.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Environment.ProcessId}-{Interlocked.Increment(ref counter)}";

    public CommandResult Cmd(params string[] args) => Tools.Run(Binary, ["--root", Root, .. args]);

    /// <summary>
    /// For create and run -d: the container's init keeps the command's stdio, so pipes (which
    /// Cmd reads to the end) would block until the container exits. Files don't.
    /// </summary>
    public CommandResult Detached(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("hull-stdio-").FullName;
        try
        {
            var quoted = string.Join(' ', ((string[])[Binary, "--root", Root, .. args]).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
            var r = Tools.Run("/bin/sh", ["-c", $"exec {quoted} </dev/null >{dir}/out 2>{dir}/err"]);
            return new CommandResult(r.ExitCode, File.ReadAllText($"{dir}/out"), File.ReadAllText($"{dir}/err"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public CommandResult In(string cwd, params string[] args) => Tools.Run(Binary, ["--root", Root, .. args], cwd: cwd);

    public CommandResult Cmd(IDictionary<string, string?> env, params string[] args) => Tools.Run(Binary, ["--root", Root, .. args], env: env);

    /// <summary>The ids of every container this runtime still has.</summary>
    public IReadOnlyList<string> Ids() =>
        Directory.Exists(Root)
            ? [.. Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>()]
            : [];

    public void Dispose()
    {
        foreach (var id in Ids())
            Tools.Run(Binary, ["--root", Root, "delete", "--force", id]);
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
