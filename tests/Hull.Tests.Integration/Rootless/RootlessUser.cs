using System.Globalization;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Rootless;

/// <summary>
/// A real unprivileged user made for the rootless tests (useradd, a home, /etc/subuid and /etc/subgid
/// ranges) with an XDG_RUNTIME_DIR of its own, and copies of hull and hull-init it can execute.
/// Commands run as the user through setpriv with a clean environment. Dispose removes every
/// container, process, range, file and the user itself.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootlessUser : IDisposable
{
    const uint RangeSize = 65536;

    public string? SkipReason { get; }
    public string Name { get; } = $"hullrl{Environment.ProcessId % 1_000_000}";
    public uint Uid { get; }
    public uint Gid { get; }
    /// <summary>The user's first /etc/subuid and /etc/subgid ranges (start).</summary>
    public uint SubUid { get; }
    public uint SubGid { get; }
    public string WorkDir { get; } = "";
    public string RuntimeDir => Path.Combine(WorkDir, "run");
    public string HullRoot => Path.Combine(RuntimeDir, "hull");
    public string Hull => Path.Combine(WorkDir, "bin", "hull");
    public string Runc { get; } = Tools.Which("runc") ?? "/usr/sbin/runc";

    readonly bool created;

    public RootlessUser()
    {
        SkipReason = WhyNot();
        if (SkipReason is not null) return;
        Check(Tools.Run("useradd", ["--create-home", "--shell", "/bin/sh", "--user-group", Name]), "useradd");
        created = true;
        Uid = uint.Parse(Tools.Run("id", ["-u", Name]).Stdout.Trim(), CultureInfo.InvariantCulture);
        Gid = uint.Parse(Tools.Run("id", ["-g", Name]).Stdout.Trim(), CultureInfo.InvariantCulture);
        // Debian's useradd allocates ranges itself (SUB_UID_COUNT in login.defs); add one where it did not.
        SubUid = RangeOf("/etc/subuid");
        SubGid = RangeOf("/etc/subgid");

        WorkDir = Directory.CreateTempSubdirectory("hull-rootless-").FullName;
        File.SetUnixFileMode(WorkDir, (UnixFileMode)0x1ed /* 0755 */);
        var bin = Directory.CreateDirectory(Path.Combine(WorkDir, "bin")).FullName;
        foreach (var file in new[] { "hull", "hull-init" })
            File.Copy(Path.Combine(Path.GetDirectoryName(Tools.HullPath)!, file), Path.Combine(bin, file));
        Directory.CreateDirectory(RuntimeDir);
        File.SetUnixFileMode(RuntimeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Check(Tools.Run("chown", [$"{Uid}:{Gid}", RuntimeDir]), "chown of the runtime dir");
    }

    static string? WhyNot()
    {
        if (!Tools.IsRoot) return "making a throw-away user needs root";
        if (!Bundle.BusyboxAvailable) return $"{Bundle.BusyboxPath} (busybox-static) is missing";
        if (!File.Exists(Tools.HullPath)) return $"{Tools.HullPath} is not built: run build/build.sh";
        foreach (var tool in new[] { "useradd", "userdel", "setpriv", "newuidmap", "newgidmap" })
            if (Tools.Which(tool) is null && !File.Exists("/usr/sbin/" + tool))
                return $"{tool} is not installed (packages passwd, util-linux, uidmap)";
        if (File.Exists("/proc/sys/kernel/unprivileged_userns_clone") && File.ReadAllText("/proc/sys/kernel/unprivileged_userns_clone").Trim() == "0")
            return "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0)";
        if (File.ReadAllText("/proc/sys/user/max_user_namespaces").Trim() == "0")
            return "user namespaces are disabled (user.max_user_namespaces=0)";
        return null;
    }

    public void Require() => Skip.If(SkipReason is not null, SkipReason);

    /// <summary>The user's first range in <paramref name="file"/>, appending one above every other range if it has none.</summary>
    uint RangeOf(string file)
    {
        var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
        foreach (var line in lines)
        {
            var f = line.Split(':');
            if (f.Length == 3 && (f[0] == Name || f[0] == Uid.ToString(CultureInfo.InvariantCulture)))
                return uint.Parse(f[1], CultureInfo.InvariantCulture);
        }
        var end = lines.Select(l => l.Split(':')).Where(f => f.Length == 3)
            .Select(f => ulong.Parse(f[1], CultureInfo.InvariantCulture) + ulong.Parse(f[2], CultureInfo.InvariantCulture))
            .DefaultIfEmpty(100_000UL).Max();
        File.AppendAllText(file, $"{Name}:{end}:{RangeSize}\n");
        return (uint)end;
    }

    /// <summary>The environment a login of the user would have, and nothing of the test runner's.</summary>
    public Dictionary<string, string> Env(bool xdg = true)
    {
        var env = new Dictionary<string, string>
        {
            ["HOME"] = $"/home/{Name}",
            ["USER"] = Name,
            ["LOGNAME"] = Name,
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        };
        if (xdg) env["XDG_RUNTIME_DIR"] = RuntimeDir;
        return env;
    }

    string[] AsUser(IReadOnlyDictionary<string, string> env, IEnumerable<string> argv) =>
        ["--reuid", Uid.ToString(CultureInfo.InvariantCulture), "--regid", Gid.ToString(CultureInfo.InvariantCulture), "--init-groups",
            "env", "-i", .. env.Select(e => $"{e.Key}={e.Value}"), .. argv];

    /// <summary>Runs <paramref name="argv"/> as the user in <paramref name="cwd"/>, output read to the end.</summary>
    public CommandResult Run(string cwd, IReadOnlyDictionary<string, string>? env, params string[] argv) =>
        Tools.Run("setpriv", AsUser(env ?? Env(), argv), cwd: cwd);

    public CommandResult Run(string cwd, params string[] argv) => Run(cwd, null, argv);

    /// <summary>For create and run -d: stdio are files, since the container's init keeps them open.</summary>
    public CommandResult Detached(string cwd, params string[] argv) => DetachedIn(null, cwd, argv);

    /// <summary><see cref="Detached"/>, started from the cgroup v2 directory <paramref name="cgroup"/> (as a
    /// systemd user session is started from its delegated cgroup).</summary>
    public CommandResult DetachedIn(string? cgroup, string cwd, params string[] argv)
    {
        var dir = Directory.CreateTempSubdirectory("hull-rootless-stdio-").FullName;
        try
        {
            var quoted = string.Join(' ', ((string[])["setpriv", .. AsUser(Env(), argv)]).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
            var enter = cgroup is null ? "" : $"echo $$ > '{cgroup}/cgroup.procs' && ";
            var r = Tools.Run("/bin/sh", ["-c", $"{enter}exec {quoted} </dev/null >{dir}/out 2>{dir}/err"], cwd: cwd);
            return new CommandResult(r.ExitCode, File.ReadAllText($"{dir}/out"), File.ReadAllText($"{dir}/err"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A busybox bundle the user owns, with no config.json yet (the test writes it as the user).</summary>
    public Bundle NewBundle()
    {
        var b = Bundle.Create();
        File.Delete(b.ConfigPath);
        File.SetUnixFileMode(b.Dir, (UnixFileMode)0x1ed /* 0755 */);
        Check(Tools.Run("chown", ["-R", $"{Uid}:{Gid}", b.Dir]), "chown of the bundle");
        return b;
    }

    /// <summary>
    /// Live processes running as the user (a rootless container's run as the user's ids or its
    /// ranges), as "pid command". Zombies are left out: an orphaned container init is reaped by
    /// the machine's init, which on these VMs does so only every few seconds (runc's too).
    /// </summary>
    public IReadOnlyList<string> Processes()
    {
        var found = new List<string>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var status = File.ReadAllLines(Path.Combine(dir, "status"));
                string Field(string name) => status.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "";
                if (Field("State").StartsWith('Z')) continue;
                if (!uint.TryParse(Field("Uid").Split('\t')[0], CultureInfo.InvariantCulture, out var uid)) continue;
                if (uid == Uid || (uid >= SubUid && uid - SubUid < RangeSize)) found.Add($"{pid} {Field("Name")}");
            }
            catch (IOException) { }
        }
        return found;
    }

    static int PidOf(string process) => int.Parse(process.Split(' ')[0], CultureInfo.InvariantCulture);

    public void Dispose()
    {
        if (!created) return;
        foreach (var (root, binary) in new[] { (HullRoot, Hull), (Path.Combine(RuntimeDir, "runc"), Runc) })
            if (Directory.Exists(root))
                foreach (var dir in Directory.GetDirectories(root))
                    Run("/", binary, "delete", "--force", Path.GetFileName(dir));
        // Whatever a failed test left running is the throw-away user's: userdel refuses while it lives.
        for (var attempt = 0; attempt < 50 && Processes() is { Count: > 0 } left; attempt++)
        {
            foreach (var process in left) Tools.Run("kill", ["-KILL", PidOf(process).ToString(CultureInfo.InvariantCulture)]);
            Thread.Sleep(20);
        }
        // --force: zombies not yet reaped by the machine's init still count as the user's processes.
        Tools.Run("userdel", ["--force", "--remove", Name]);
        foreach (var file in new[] { "/etc/subuid", "/etc/subgid" })
            if (File.Exists(file))
            {
                var lines = File.ReadAllLines(file);
                var kept = lines.Where(l => !l.StartsWith(Name + ":", StringComparison.Ordinal)).ToArray();
                if (kept.Length != lines.Length) File.WriteAllLines(file, kept);
            }
        try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { }
    }

    static void Check(CommandResult r, string what)
    {
        if (r.ExitCode != 0) throw new InvalidOperationException($"{what} failed: {r}");
    }
}
