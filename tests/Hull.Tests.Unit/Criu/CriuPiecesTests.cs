using System.Runtime.Versioning;
using Hull.Abstractions.Errors;
using Hull.Plugins.Criu;
using Hull.Plugins.Criu.Host;
using Xunit;

namespace Hull.Tests.Unit.Criu;

[SupportedOSPlatform("linux")]
public sealed class CriuPiecesTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("hull-criu-pieces-").FullName;

    string Executable(string dir, string name)
    {
        Directory.CreateDirectory(Path.Combine(work, dir));
        var path = Path.Combine(work, dir, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void CriuIsTheFirstExecutableOnPath()
    {
        Directory.CreateDirectory(Path.Combine(work, "empty"));
        File.WriteAllText(Path.Combine(work, "empty", "criu"), "not executable");
        var criu = Executable("sbin", "criu");
        Assert.Equal(criu, CriuLocator.Locate(null, $"{work}/empty:{work}/sbin"));
        Assert.Equal(criu, CriuLocator.Locate("criu", $"{work}/sbin"));
        Assert.Equal(criu, CriuLocator.Locate(criu, "/nowhere"));
    }

    [Fact]
    public void NoCriuOnPathSaysWhatToInstall()
    {
        var e = Assert.Throws<HullException>(() => CriuLocator.Locate(null, "/usr/bin:/bin"));
        Assert.Equal("checkpoint/restore need CRIU 3.16 or newer, but criu was not found on PATH (/usr/bin:/bin): install CRIU or give its path with --criu", e.Message);
    }

    [Theory]
    [InlineData(4, 2, 1, "4.2.1", 40201)]
    [InlineData(3, 16, 0, "3.16", 31600)]
    public void VersionsPrintAndCompareAsRuncs(int major, int minor, int sublevel, string text, int number)
    {
        var v = new CriuVersion(major, minor, sublevel);
        Assert.Equal(text, v.ToString());
        Assert.Equal(number, v.Number);
        Assert.True(v.CompareTo(CriuVersion.Minimum) >= 0);
        Assert.True(new CriuVersion(3, 15, 9).CompareTo(CriuVersion.Minimum) < 0);
        Assert.Equal("4.2 (v4.2-12-gabc)", new CriuVersion(4, 2, 0, "v4.2-12-gabc").ToString());
    }

    [Fact]
    public void TheLogQuoteKeepsTheLastFiveErrorLines()
    {
        var log = Path.Combine(work, "dump.log");
        File.WriteAllLines(log, Enumerable.Range(1, 8).Select(i => i % 2 == 0 ? $"(0.{i}) Error (criu/x.c:{i}): e{i}" : $"(0.{i}) ok"));
        File.AppendAllLines(log, ["Error: bad option", "(1.0) done"]);

        Assert.Equal(["4: (0.4) Error (criu/x.c:4): e4", "6: (0.6) Error (criu/x.c:6): e6", "8: (0.8) Error (criu/x.c:8): e8", "9: Error: bad option"],
            CriuLog.LastErrors(log).Skip(1));
        Assert.Equal(5, CriuLog.LastErrors(log).Count);
        Assert.Empty(CriuLog.LastErrors(Path.Combine(work, "missing.log")));
        var failure = new IOException("criu closed the connection");
        Assert.Equal("it failed: criu closed the connection", CriuLog.Quote("it failed", failure, Path.Combine(work, "missing.log")));

        var clean = Path.Combine(work, "clean.log");
        File.WriteAllText(clean, "(0.1) all fine\n");
        Assert.Equal($"it failed: criu closed the connection (see {clean})", CriuLog.Quote("it failed", failure, clean));
    }

    [Fact]
    public void TheReasonIsTheLastRealErrorNotCriusFirst()
    {
        var log = Path.Combine(work, "dump.log");
        File.WriteAllLines(log,
        [
            "(00.05) Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted",
            "(00.07) Error (criu/pstree.c:304): The root process 21700 is not a session leader. Consider using --shell-job option",
            "(00.08) Error (criu/cr-dump.c:1975): Dumping FAILED.",
        ]);
        var failure = new Hull.Plugins.Criu.Rpc.CriuRequestFailedException(Hull.Plugins.Criu.Rpc.criu_req_type.Dump, 0,
            "Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted");

        var message = CriuLog.Quote("checkpoint of container \"c\" failed", failure, log);

        Assert.StartsWith($"checkpoint of container \"c\" failed: criu dump failed: The root process 21700 is not a session leader. Consider using --shell-job option (see {log}); its last errors:\n  1: ", message);
    }

    [Fact]
    public void RootfsPathsFollowSymlinksWithoutLeavingTheRoot()
    {
        var links = new Dictionary<string, string>
        {
            ["/link"] = "/opt",
            ["/opt/rel"] = "../srv/data",
            ["/escape"] = "../../../..",
            ["/loop"] = "/loop",
        };
        string Resolve(string p) => RootfsPath.Resolve(p, links.GetValueOrDefault);

        Assert.Equal("/opt/cfg", Resolve("/link/cfg"));
        Assert.Equal("/srv/data/x", Resolve("/link/rel/x"));
        Assert.Equal("/etc", Resolve("/escape/etc"));
        Assert.Equal("/a/c", Resolve("//a/./b/../c/"));
        Assert.Equal("/loop", Resolve("/loop"));
        Assert.Equal("/", Resolve("/"));
    }

    [Fact]
    public void RootfsResolutionReadsTheRealFilesystem()
    {
        var rootfs = Path.Combine(work, "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "opt"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "link"), "/opt");
        Assert.Equal("/opt/cfg", new LinuxCriuHost().ResolveInRootfs(rootfs, "/link/cfg"));
        Assert.Equal("/missing/x", new LinuxCriuHost().ResolveInRootfs(rootfs, "/missing/x"));
    }

    [Fact]
    public void TheNamespaceInodeOfThisProcessIsRead()
    {
        var link = new FileInfo("/proc/self/ns/net").LinkTarget!;
        Assert.Equal($"net:[{new LinuxCriuHost().NamespaceInode("/proc/self/ns/net")}]", link);
        var e = Assert.Throws<HullException>(() => new LinuxCriuHost().NamespaceInode("/etc/hostname"));
        Assert.Contains("is not a namespace file", e.Message);
    }

    [Fact]
    public void ProcCgroupParsesV1AndV2Lines()
    {
        var parsed = LinuxCriuHost.ParseProcCgroup("12:cpu,cpuacct:/hull/c1\n1:name=systemd:/user.slice\n0::/hull/c1\n");
        Assert.Equal([new("cpu,cpuacct", "/hull/c1"), new("name=systemd", "/user.slice"), new("", "/hull/c1")], parsed);
    }

    [Fact]
    public void StdioOfAProcessIsReadFromProc()
    {
        var stdio = new LinuxCriuHost().StdioDescriptors(Environment.ProcessId);
        Assert.Equal(3, stdio.Count);
        Assert.All(stdio, s => Assert.False(string.IsNullOrEmpty(s)));
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}

/// <summary>
/// The vendored rpc.proto must stay CRIU's: the wire format is CRIU's, not ours. A newer CRIU only
/// adds fields and messages, so every line of ours must appear, in order, in the installed one.
/// </summary>
public class RpcProtoDriftTests
{
    const string Installed = "/usr/local/include/criu/rpc.proto";

    [SkippableFact]
    public void TheVendoredProtoIsPartOfTheInstalledCriusWithOnlyTheNamespaceAdded()
    {
        Skip.IfNot(File.Exists(Installed), $"CRIU is not installed ({Installed} is missing)");
        var repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "Hull.slnx"))) repo = Path.GetDirectoryName(repo)!;
        var vendored = File.ReadAllLines(Path.Combine(repo, "plugins/Criu/Rpc/rpc.proto"))
            .SkipWhile(l => l.StartsWith("// Vendored", StringComparison.Ordinal) || l.StartsWith("// Unchanged", StringComparison.Ordinal) || l.StartsWith("// with the installed", StringComparison.Ordinal))
            .Where(l => !l.StartsWith("option csharp_namespace", StringComparison.Ordinal));
        using var installed = File.ReadLines(Installed).GetEnumerator();
        foreach (var line in vendored)
        {
            var found = false;
            while (!found && installed.MoveNext()) found = installed.Current == line;
            Assert.True(found, $"the vendored rpc.proto line \"{line}\" is not in {Installed} (in that order): update plugins/Criu/Rpc/rpc.proto");
        }
    }
}
