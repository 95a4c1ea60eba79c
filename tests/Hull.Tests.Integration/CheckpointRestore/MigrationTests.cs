using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hull.Tests.Integration.Criu;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.CheckpointRestore;

/// <summary>What moving a live container needs: open TCP connections, and lazy migration on loopback.</summary>
public sealed class MigrationTests : IDisposable
{
    readonly CriuContainers c = new();
    readonly List<string> netns = [];

    Runtime Hull => c.Hull;

    /// <summary>
    /// A named network namespace with loopback up, which the container joins by path: CRIU then
    /// leaves it alone as external and joins it again on restore, where the connection's address
    /// exists (a new, empty namespace would have no loopback to restore it on).
    /// </summary>
    string NetworkNamespace()
    {
        var name = Runtime.NewId("hull-cr-net");
        var add = Tools.Run("/usr/bin/ip", ["netns", "add", name]);
        Skip.If(add.ExitCode != 0, $"cannot make a network namespace: {add}");
        netns.Add(name);
        var up = Tools.Run("/usr/bin/ip", ["netns", "exec", name, "ip", "link", "set", "lo", "up"]);
        Assert.True(up.ExitCode == 0, up.ToString());
        return $"/var/run/netns/{name}";
    }

    [SkippableFact]
    public void AnEstablishedLoopbackConnectionSurvivesWithTcpEstablished()
    {
        CriuContainers.Require();
        Skip.If(Tools.Which("ip") is null && !File.Exists("/usr/bin/ip"), "iproute2's ip is missing");
        var data = c.Dir("data");
        // A server that counts down a connection, and a client inside the same container writing what it gets
        // (side by side in a pipeline: the server's own stdout carries nothing).
        var bundle = c.NewBundle(data,
            "nc -l -p 5000 -e sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done' | " +
            "{ until nc 127.0.0.1 5000; do sleep 0.1; done | while read i; do echo $i > /data/count; done; }");
        var path = NetworkNamespace();
        bundle.Edit(config =>
        {
            foreach (var ns in config["linux"]!["namespaces"]!.AsArray())
                if (ns!["type"]!.GetValue<string>() == "network") ns["path"] = path;
        });
        var id = Runtime.NewId("cr-tcp");
        c.RunDetached(bundle, id);
        var counter = new Counter(data);
        counter.WaitUntilAtLeast(3);

        // Without the flag CRIU refuses the connection, and the container goes on.
        var images = c.Dir("images");
        var refused = Hull.Cmd("checkpoint", "--image-path", images, id);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("checkpoint of container", refused.Stderr);
        Assert.Equal("running", CriuContainers.Status(c.State(id)));
        counter.WaitUntilAtLeast(counter.Value + 2);

        var good = c.Dir("images");
        c.Checkpoint(id, good, "--tcp-established");
        counter.AssertStopped();
        var last = counter.Value;
        c.RestoreDetached(bundle, id, good, "--tcp-established");
        counter.AssertContinuesFrom(last);
    }

    [SkippableFact]
    public void LazyMigrationOnLoopback()
    {
        CriuContainers.Require();
        var pipeMax = long.Parse(File.ReadAllText("/proc/sys/fs/pipe-max-size").Trim());
        Skip.If(pipeMax < 4 << 20, $"lazy pages need fs.pipe-max-size >= 4 MiB, and it is {pipeMax}");
        Skip.If(Tools.Run(CriuMachine.CriuPath!, ["check", "--feature", "uffd-noncoop"]).ExitCode != 0,
            "CRIU or the kernel lacks userfaultfd (uffd-noncoop): no lazy pages here");

        var data = c.Dir("data");
        var bundle = c.NewBundle(data);
        var id = Runtime.NewId("cr-lazy");
        c.RunDetached(bundle, id);
        var counter = new Counter(data);
        counter.WaitUntilAtLeast(3);
        var images = c.Dir("images");
        var port = FreePort();

        // The source side: dumps all but the memory, then serves pages until the restore has them all.
        // CRIU writes \0 to the status fd (a pipe to `head`) when the page server is ready.
        var ready = Path.Combine(c.Dir("status"), "ready");
        var quoted = string.Join(' ', ((string[])[Hull.Binary, "--root", Hull.Root, "checkpoint", "--image-path", images,
            "--lazy-pages", "--page-server", $"127.0.0.1:{port}", "--status-fd", "3", id]).Select(a => "'" + a + "'"));
        var source = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"{quoted} 3> >(head -c1 | od -An -tx1 > '{ready}')"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        Process? lazy = null;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(File.Exists(ready) && File.ReadAllText(ready).Trim() == "00"))
            {
                if (source.HasExited) Assert.Fail($"checkpoint --lazy-pages ended ({source.ExitCode}) before it was ready: {source.StandardError.ReadToEnd()}\n{CriuContainers.CriuLog(images, "dump.log")}");
                if (DateTime.UtcNow > deadline) Assert.Fail("CRIU never wrote \\0 to --status-fd");
                Thread.Sleep(50);
            }
            counter.AssertStopped();
            var last = counter.Value;

            // The destination side, on the same machine: a lazy-pages daemon fetching from the page
            // server, and a restore (under a new id: the source still exists) that faults pages in through it.
            lazy = Process.Start(new ProcessStartInfo(CriuMachine.CriuPath!,
                ["lazy-pages", "--page-server", "--address", "127.0.0.1", "--port", port.ToString(), "-D", images])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var copy = Runtime.NewId("cr-lazy-dest");
            WaitForFile(Path.Combine(images, "lazy-pages.socket"));
            c.RestoreDetached(bundle, copy, images, "--lazy-pages");
            counter.AssertContinuesFrom(last);

            // Every page transferred: both CRIU sides end, and the source container with them.
            Assert.True(lazy.WaitForExit(30_000), "criu lazy-pages did not finish");
            Assert.True(source.WaitForExit(30_000), "the source checkpoint did not finish after the migration");
            Assert.True(source.ExitCode == 0, $"checkpoint --lazy-pages: exit {source.ExitCode}: {source.StandardError.ReadToEnd()}");
            c.AssertGone(id);
            Assert.Equal("running", CriuContainers.Status(c.State(copy)));
            counter.WaitUntilAtLeast(counter.Value + 3);
        }
        finally
        {
            // A failure midway must not leave either CRIU side running (they hold the test run's stdout).
            foreach (var p in new[] { source, lazy })
            {
                p?.Kill(entireProcessTree: true);
                p?.WaitForExit();
                p?.Dispose();
            }
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static void WaitForFile(string path)
    {
        if (!Poll.Until(() => File.Exists(path))) throw new TimeoutException($"{path} did not appear");
    }

    public void Dispose()
    {
        c.Dispose();
        foreach (var name in netns) Tools.Run("/usr/bin/ip", ["netns", "delete", name]);
    }
}
