using System.Text.Json.Nodes;
using Hull.Tests.Integration.Support;
using Xunit;
using static Hull.Tests.Integration.Differential.DiffCase;

namespace Hull.Tests.Integration.Differential;

/// <summary>The bundles of the differential suite: small variations on `runc spec` + busybox.</summary>
public static class DiffCases
{
    public static IReadOnlyList<DiffCase> All { get; } =
    [
        // Exit status and stdio.
        new("true", ["true"]),
        new("false", ["false"]),
        new("exit-42", ["sh", "-c", "exit 42"]),
        new("stdout-stderr", ["sh", "-c", "echo to-out; echo to-err >&2; echo again"]),
        new("args-with-spaces", ["sh", "-c", "printf '[%s]\\n' \"$@\"", "x", "a b", "", "c"]),
        new("killed-by-signal", ["sh", "-c", "kill -9 $$"])
        {
            // Without a PID namespace sh is not an init, so SIGKILL to itself is delivered.
            Edit = c => WithoutNamespace(c, "pid"),
        },
        // No signal may stay ignored or blocked from the runtime (.NET ignores SIGPIPE).
        new("signal-dispositions", ["grep", "-E", "Sig(Blk|Ign)", "/proc/self/status"]),

        // Process attributes.
        new("env", ["env"]) { Edit = c => Process(c)["env"] = Strings("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FOO=bar", "EMPTY=") },
        new("env-no-home", ["sh", "-c", "echo HOME=$HOME"]) { Edit = c => Process(c)["env"] = Strings("PATH=/bin") },
        new("cwd", ["pwd"]) { Edit = c => Process(c)["cwd"] = "/tmp" },
        new("cwd-missing-is-created", ["pwd"]) { Edit = c => Process(c)["cwd"] = "/does/not/exist" },
        new("user-uid-gid", ["id"]) { Edit = c => Process(c)["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000 } },
        new("additional-gids", ["id", "-G"])
        {
            Edit = c => Process(c)["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0, ["additionalGids"] = new JsonArray(10, 20) },
        },
        new("umask", ["sh", "-c", "umask"]) { Edit = c => Process(c)["user"]!["umask"] = 63 },
        new("default-umask", ["sh", "-c", "umask"]),
        new("hostname", ["hostname"]) { Edit = c => c["hostname"] = "box" },
        new("domainname", ["cat", "/proc/sys/kernel/domainname"])
        {
            Edit = c => c["domainname"] = "example.org",
            Explained = ("runc 1.1.5 ignores domainname (its runtime-spec predates the field); hull sets it, as runtime-spec 1.1 says",
                r => Assert.Equal((0, "example.org\n"), (r.ExitCode, r.Stdout))),
        },
        new("rlimit-nofile", ["sh", "-c", "ulimit -n; ulimit -Hn"])
        {
            Edit = c => Process(c)["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["hard"] = 512, ["soft"] = 256 }),
        },
        new("rlimit-core", ["sh", "-c", "ulimit -c"])
        {
            Edit = c => Process(c)["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_CORE", ["hard"] = 4096, ["soft"] = 1024 }),
        },
        new("capabilities-default", ["grep", "Cap", "/proc/self/status"]),
        new("capabilities-added", ["grep", "Cap", "/proc/self/status"])
        {
            Edit = c =>
            {
                foreach (var set in new[] { "bounding", "effective", "permitted" })
                    Process(c)["capabilities"]![set]!.AsArray().Add("CAP_SYS_ADMIN");
            },
        },
        new("capabilities-none", ["grep", "Cap", "/proc/self/status"]) { Edit = c => Process(c).Remove("capabilities") },
        new("no-new-privileges", ["grep", "NoNewPrivs", "/proc/self/status"]),
        new("new-privileges-allowed", ["grep", "NoNewPrivs", "/proc/self/status"]) { Edit = c => Process(c)["noNewPrivileges"] = false },
        new("oom-score-adj", ["cat", "/proc/self/oom_score_adj"]) { Edit = c => Process(c)["oomScoreAdj"] = 500 },
        new("open-fds", ["ls", "/proc/self/fd"]),

        // Root and mounts.
        new("readonly-root", ["touch", "/newfile"]),
        new("writable-root", ["sh", "-c", "touch /newfile && echo written"]) { Edit = c => c["root"]!["readonly"] = false },
        new("tmpfs-mount", ["sh", "-c", "grep -c ' /data tmpfs ' /proc/mounts; touch /data/x && echo ok"])
        {
            Edit = c => c["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/data", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = Strings("nosuid", "nodev") }),
        },
        new("bind-mount-ro", ["sh", "-c", "cat /host/file.txt; echo x > /host/file.txt"])
        {
            Prepare = b =>
            {
                Directory.CreateDirectory(Path.Combine(b.Dir, "shared"));
                File.WriteAllText(Path.Combine(b.Dir, "shared", "file.txt"), "from the host\n");
            },
            Edit = c => c["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/host", ["type"] = "bind", ["source"] = "shared", ["options"] = Strings("rbind", "ro") }),
        },
        new("masked-paths", ["sh", "-c", "wc -c < /proc/kcore; ls /proc/acpi | wc -l"]),
        new("readonly-paths", ["sh", "-c", "echo 1 > /proc/sys/kernel/core_pattern"]),
        // root.path naming a symlink is refused by both; hull's message also names the real directory.
        new("rootfs-symlink", ["true"])
        {
            Prepare = b =>
            {
                Directory.Move(b.Rootfs, Path.Combine(b.Dir, "real-rootfs"));
                File.CreateSymbolicLink(b.Rootfs, "real-rootfs");
            },
            Explained = ("runc says only \"invalid rootfs: not an absolute path, or a symlink\"; hull says the same and names the real directory to use",
                r =>
                {
                    Assert.Equal(1, r.ExitCode);
                    Assert.Contains("invalid rootfs (", r.Stderr);
                    Assert.Contains("not an absolute path, or a symlink; set root.path to the real directory (", r.Stderr);
                }),
        },
        new("dev-nodes", ["ls", "/dev"]),
        // The default device rules must let the container use its standard nodes (cgroup devices).
        new("dev-nodes-usable", ["sh", "-c", "echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c && echo ok"]),
        new("proc-mounted", ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo"]),
        new("mounts-table", ["sh", "-c", "cut -d' ' -f2,3 /proc/mounts"]),

        // Namespaces.
        new("pid-namespace", ["sh", "-c", "echo $$"]),
        new("no-uts-namespace", ["sh", "-c", "test \"$(hostname)\" = \"$HOST_NAME\" && echo same-as-host"])
        {
            Edit = c =>
            {
                WithoutNamespace(c, "uts");
                c.Remove("hostname");
                Process(c)["env"]!.AsArray().Add("HOST_NAME=" + Environment.MachineName);
            },
        },
        new("hostname-without-uts-namespace", ["true"])
        {
            Edit = c => { WithoutNamespace(c, "uts"); c["hostname"] = "box"; },
        },
        new("no-network-namespace", ["sh", "-c", "test -e /sys/class/net/lo && echo has-lo; cat /proc/net/dev | wc -l"])
        {
            Edit = c => WithoutNamespace(c, "network"),
        },
        new("network-namespace-only-lo", ["ls", "/sys/class/net"]),
        // A new network namespace has lo down; runc brings it up (its "loopback" network).
        new("network-namespace-lo-up", ["sh", "-c", "cat /sys/class/net/lo/operstate /sys/class/net/lo/flags; ip -o -4 addr show dev lo | cut -d' ' -f2,7"]),
        new("user-namespace", ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u"])
        {
            Edit = c =>
            {
                AddNamespace(c, "user");
                Linux(c)["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
                Linux(c)["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
            },
            Prepare = b => ChownTree(b.Rootfs, 100000),
        },
        new("join-host-ipc-by-path", ["sh", "-c", "readlink /proc/self/ns/ipc | grep -q \"$HOST_IPC\" && echo joined"])
        {
            Edit = c =>
            {
                WithoutNamespace(c, "ipc");
                AddNamespace(c, "ipc", $"/proc/{Environment.ProcessId}/ns/ipc");
                Process(c)["env"]!.AsArray().Add("HOST_IPC=" + new FileInfo("/proc/self/ns/ipc").LinkTarget);
            },
        },
        new("time-namespace-offsets", ["cut", "-d.", "-f1", "/proc/uptime"])
        {
            Edit = c =>
            {
                AddNamespace(c, "time");
                Linux(c)["timeOffsets"] = new JsonObject { ["boottime"] = new JsonObject { ["secs"] = 86400 } };
            },
            Explained = ("runc 1.1.5 has no time namespaces (\"namespace {\"time\" \"\"} does not exist\"); hull creates one with the offsets",
                r =>
                {
                    Assert.True(r.ExitCode == 0, r.ToString());
                    var hostUptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    Assert.InRange(long.Parse(r.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture), (long)hostUptime + 86400 - 60, (long)hostUptime + 86400 + 60);
                }),
        },
        new("cgroup-namespace", ["cat", "/proc/self/cgroup"]) { Edit = c => AddNamespace(c, "cgroup") },
        new("host-cgroup-view", ["sh", "-c", "grep -c '/diff-' /proc/self/cgroup"]),
        new("sysctl", ["cat", "/proc/sys/net/ipv4/ip_forward"])
        {
            Edit = c => Linux(c)["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = "1" },
        },

        // Bad input.
        new("missing-binary", ["no-such-binary"]),
        new("missing-absolute-binary", ["/no/such/binary"]),
        new("binary-is-a-directory", ["/tmp"]),
        new("binary-not-executable", ["/etc/passwd"]),
        new("empty-args", ["true"]) { Edit = c => Process(c)["args"] = new JsonArray() },
    ];

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    public static DiffCase Named(string name) => All.Single(c => c.Name == name);

    /// <summary>A rootfs owned by the user namespace's root, as a real image would be, in a
    /// bundle that root of the namespace can reach.</summary>
    static void ChownTree(string dir, int uid)
    {
        var r = Tools.Run("chmod", ["755", Path.GetDirectoryName(dir)!]);
        Assert.True(r.ExitCode == 0, r.ToString());
        r = Tools.Run("chown", ["-R", "-h", $"{uid}:{uid}", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
