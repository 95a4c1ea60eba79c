using System.Text.Json.Nodes;

namespace Hull.Tests.Integration.Support;

/// <summary>
/// A throw-away OCI bundle: a busybox rootfs (Debian's busybox-static, applets as symlinks) and a
/// config.json from `runc spec`-equivalent defaults that a test edits as a JSON tree.
/// </summary>
public sealed class Bundle : IDisposable
{
    public string Dir { get; }
    public string Rootfs => Path.Combine(Dir, "rootfs");
    public string ConfigPath => Path.Combine(Dir, "config.json");

    public const string BusyboxPath = "/bin/busybox";

    public static bool BusyboxAvailable => File.Exists(BusyboxPath);

    Bundle(string dir) => Dir = dir;

    /// <summary>Makes a bundle whose config is `runc spec` (or `hull spec` when runc is absent) with args set.</summary>
    public static Bundle Create(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("hull-bundle-").FullName;
        var b = new Bundle(dir);
        b.MakeRootfs();
        var spec = Tools.Which("runc") is { } runc ? runc : Tools.HullPath;
        var r = Tools.Run(spec, ["spec"], cwd: dir);
        if (r.ExitCode != 0) throw new InvalidOperationException("spec failed: " + r);
        if (args.Length > 0) b.Edit(c => c["process"]!["args"] = new JsonArray(args.Select(a => (JsonNode)a!).ToArray()));
        b.Edit(c => c["process"]!["terminal"] = false);
        return b;
    }

    void MakeRootfs()
    {
        var bin = Path.Combine(Rootfs, "bin");
        Directory.CreateDirectory(bin);
        File.Copy(BusyboxPath, Path.Combine(bin, "busybox"));
        var list = Tools.Run(BusyboxPath, ["--list"]);
        foreach (var applet in list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (applet != "busybox")
                File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
        foreach (var d in new[] { "proc", "sys", "dev", "tmp", "etc", "root" })
            Directory.CreateDirectory(Path.Combine(Rootfs, d));
        File.WriteAllText(Path.Combine(Rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        File.WriteAllText(Path.Combine(Rootfs, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
    }

    public JsonObject ReadConfig() => JsonNode.Parse(File.ReadAllText(ConfigPath))!.AsObject();

    public void Edit(Action<JsonObject> edit)
    {
        var config = ReadConfig();
        edit(config);
        File.WriteAllText(ConfigPath, config.ToJsonString(new() { WriteIndented = true }));
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
