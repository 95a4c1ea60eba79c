using System.Diagnostics;
using System.Text.Json.Nodes;
using Hull.Tests.Integration.Criu;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.CheckpointRestore;

/// <summary>
/// Real containers for checkpoint/restore: out/hull with a private root, busybox bundles whose
/// process counts into /data/count (a host directory bound in, read from the host), image
/// directories, and hull run detached with its stdio on /dev/null (a file outside the container
/// could not be dumped) and its errors in a --log file.
/// </summary>
public sealed class CriuContainers : IDisposable
{
    /// <summary>Counts ten times a second into /data/count.</summary>
    public const string CounterScript = "i=0; while :; do i=$((i+1)); echo $i > /data/count; sleep 0.1; done";

    readonly string work = Directory.CreateTempSubdirectory("hull-cr-").FullName;
    readonly List<Bundle> bundles = [];
    int dirs;

    public Runtime Hull { get; } = Runtime.Hull();

    /// <summary>Skips unless real containers and CRIU can run here.</summary>
    public static void Require()
    {
        Runtime.RequireContainers();
        Skip.If(CriuMachine.Problem is not null, CriuMachine.Problem);
    }

    /// <summary>A fresh directory under the test's work dir (images, data, logs).</summary>
    public string Dir(string name) => Directory.CreateDirectory(Path.Combine(work, $"{name}-{++dirs}")).FullName;

    /// <summary>A bundle running <paramref name="script"/> with a writable root and <paramref name="data"/> bound at /data.</summary>
    public Bundle NewBundle(string data, string script = CounterScript)
    {
        var b = Bundle.Create("sh", "-c", script);
        bundles.Add(b);
        b.Edit(c =>
        {
            c["root"]!["readonly"] = false;
            c["mounts"]!.AsArray().Add(new JsonObject
            {
                ["destination"] = "/data",
                ["type"] = "bind",
                ["source"] = data,
                ["options"] = new JsonArray("rbind", "rw"),
            });
        });
        return b;
    }

    /// <summary>hull with stdio on /dev/null (inherited by a detached container); stderr is the --log file's content.</summary>
    public CommandResult Detached(params string[] args) => Detached(null, args);

    public CommandResult Detached(IDictionary<string, string?>? env, params string[] args)
    {
        var log = Path.Combine(work, $"hull-{++dirs}.log");
        var quoted = string.Join(' ', ((string[])[Hull.Binary, "--root", Hull.Root, "--log", log, .. args]).Select(Quote));
        var r = Tools.Run("/bin/sh", ["-c", $"exec {quoted} </dev/null >/dev/null 2>&1"], env: env);
        return new CommandResult(r.ExitCode, "", File.Exists(log) ? File.ReadAllText(log) : "");
    }

    /// <summary>`run -d` of a bundle, asserted to work.</summary>
    public void RunDetached(Bundle bundle, string id)
    {
        var r = Detached("run", "-d", "--bundle", bundle.Dir, id);
        Assert.True(r.ExitCode == 0, $"run -d {id}: {r}");
    }

    /// <summary>`restore -d` from <paramref name="images"/>, asserted to work.</summary>
    public void RestoreDetached(Bundle bundle, string id, string images, params string[] flags)
    {
        var r = Detached(["restore", "-d", "--bundle", bundle.Dir, "--image-path", images, .. flags, id]);
        Assert.True(r.ExitCode == 0, $"restore {id}: {r}\n{CriuLog(images, "restore.log")}");
    }

    public void Checkpoint(string id, string images, params string[] flags)
    {
        var r = Hull.Cmd(["checkpoint", "--image-path", images, .. flags, id]);
        Assert.True(r.ExitCode == 0, $"checkpoint {id}: {r}\n{CriuLog(images, "dump.log")}");
    }

    /// <summary>CRIU's log, for a failure message.</summary>
    public static string CriuLog(string dir, string name) =>
        File.Exists(Path.Combine(dir, name)) ? $"--- {name}\n{File.ReadAllText(Path.Combine(dir, name))}" : "";

    public JsonNode State(string id)
    {
        var r = Hull.Cmd("state", id);
        Assert.True(r.ExitCode == 0, $"state {id}: {r}");
        return JsonNode.Parse(r.Stdout)!;
    }

    public static string Status(JsonNode state) => state["status"]!.GetValue<string>();

    public static int Pid(JsonNode state) => state["pid"]!.GetValue<int>();

    /// <summary>hull started in the background (a foreground restore), its output collected.</summary>
    public Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(Hull.Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--root", Hull.Root, .. args]) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    public void WaitForStatus(string id, string status)
    {
        if (Poll.Until(() => Hull.Cmd("state", id) is { ExitCode: 0 } r && Status(JsonNode.Parse(r.Stdout)!) == status)) return;
        Assert.Fail($"container {id} did not become {status}: {Hull.Cmd("state", id)}");
    }

    /// <summary>What is left of a container on the host: its state directory and cgroups.</summary>
    public void AssertGone(string id)
    {
        Assert.DoesNotContain(id, Hull.Ids());
        Assert.Empty(Leftovers.CgroupsNamed(id));
    }

    static string Quote(string a) => "'" + a.Replace("'", "'\\''") + "'";

    public void Dispose()
    {
        Hull.Dispose();
        foreach (var b in bundles)
        {
            Assert.Empty(Leftovers.MountsUnder(b.Dir));
            b.Dispose();
        }
        try { Directory.Delete(work, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The number a container keeps writing to a file in a host directory.</summary>
public sealed class Counter(string dir)
{
    public string File => Path.Combine(dir, "count");

    public int Value
    {
        get
        {
            // The shell truncates and rewrites the file: an empty read is a moment mid-write.
            for (var attempt = 0; attempt < 40; attempt++)
            {
                try
                {
                    if (int.TryParse(System.IO.File.ReadAllText(File).Trim(), out var v)) return v;
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

    /// <summary>The counter stands still: nobody writes it any more.</summary>
    public void AssertStopped()
    {
        var before = Value;
        Thread.Sleep(400);
        Assert.Equal(before, Value);
    }

    /// <summary>The counter moves on from <paramref name="from"/> (never starts over).</summary>
    public void AssertContinuesFrom(int from)
    {
        var first = Value;
        Assert.True(first >= from, $"the counter restarted: {first} after {from}");
        WaitUntilAtLeast(first + 3);
    }
}
