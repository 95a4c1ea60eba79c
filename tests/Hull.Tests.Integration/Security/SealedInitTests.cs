using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Security;

/// <summary>
/// CVE-2019-5736: a container process that gets hold of the runtime's binary through
/// /proc/PID/exe of the init, and writes to it once the init has exec'd (no longer "text busy"),
/// must not be able to change the binary on the host.
/// </summary>
public sealed class SealedInitTests : IDisposable
{
    readonly Runtime hull = Runtime.Hull();
    readonly Bundle bundle = Bundle.Create("sleep", "5");

    [SkippableFact]
    public void Cve_2019_5736_InitBinaryCannotBeOverwrittenThroughProcExe()
    {
        Runtime.RequireContainers();
        var initBinary = Path.Combine(Path.GetDirectoryName(Tools.HullPath)!, "hull-init");
        var before = SHA256.HashData(File.ReadAllBytes(initBinary));
        var id = Runtime.NewId("cve-2019-5736");
        Assert.Equal(0, hull.Detached("create", "--bundle", bundle.Dir, id).ExitCode);
        var pid = JsonNode.Parse(hull.Cmd("state", id).Stdout)!["pid"]!.GetValue<int>();

        // Hold the init's exe open (as the attacker's process would), let the init exec, then write through it.
        var attack = Tools.Run("/bin/bash", ["-c",
            $"exec 3</proc/{pid}/exe || exit 2; {Tools.HullPath} --root {hull.Root} start {id} || exit 3; sleep 0.2; " +
            "echo pwned >> /proc/self/fd/3 && echo WRITTEN; cat /proc/self/fd/3 > /dev/null && echo READABLE"]);
        Assert.DoesNotContain("WRITTEN", attack.Stdout);
        Assert.Contains("READABLE", attack.Stdout);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(initBinary)));
    }

    public void Dispose()
    {
        hull.Dispose();
        bundle.Dispose();
    }
}
