using System.Text.Json.Nodes;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux;
using Hull.Plugins.Linux.Hooks;
using Hull.Plugins.Linux.Process;
using Hull.Plugins.Linux.Rootfs;
using Hull.Plugins.Linux.Setup;
using Xunit;

namespace Hull.Tests.Unit.Linux.Features;

/// <summary>`hull features` on Linux: every name it lists is one the code really handles.</summary>
public class LinuxFeaturesTests
{
    static readonly SeccompFeatures SeccompOn = new() { Enabled = true, Actions = ["SCMP_ACT_ALLOW"] };

    static Abstractions.Oci.Features Describe(SeccompFeatures? seccomp = null, string? version = "0.1.0+abc1234") =>
        LinuxBackend.DescribeFeatures(seccomp ?? SeccompOn, () => "2.5.4", version, checkpoint: true);

    [Fact]
    public void EveryHookPhaseIsRunAndListed()
    {
        Assert.Equal(OciNames.Hooks, Describe().Hooks);
        Assert.Equal(Enum.GetValues<HookPhase>().Select(HookRunner.Name), Describe().Hooks);
    }

    [Fact]
    public void EveryListedNamespaceIsOneTheBootstrapCreates()
    {
        var namespaces = Describe().Linux!.Namespaces!;
        Assert.Equal(8, namespaces.Count);
        Assert.All(namespaces, n => Assert.NotEqual(0u, NamespaceFlags.Of(n)));
    }

    [Fact]
    public void EveryListedCapabilityHasItsKernelNumber()
    {
        var caps = Describe().Linux!.Capabilities!;
        Assert.Equal(41, caps.Count);
        Assert.Equal(Enumerable.Range(0, caps.Count), caps.Select(CapabilitySets.Number));
    }

    [Fact]
    public void EveryRuncMountOptionIsRecognizedByTheParser()
    {
        var options = Describe().MountOptions!;
        Assert.Equal(OciNames.MountOptions, options);
        Assert.All(options, o => Assert.Equal("", MountOptions.Parse([o]).Data));
    }

    [Fact]
    public void CgroupDriversAndWhatIsNotAppliedAreSaidPlainly()
    {
        var linux = Describe().Linux!;
        Assert.Equal(new CgroupFeatures { V1 = true, V2 = true, Systemd = false, SystemdUser = false, Rdma = true }, linux.Cgroup);
        Assert.True(linux.Apparmor!.Enabled);
        Assert.False(linux.Selinux!.Enabled);
        Assert.False(linux.IntelRdt!.Enabled);
        Assert.False(linux.NetDevices!.Enabled);
        Assert.False(linux.MountExtensions!.Idmap!.Enabled);
        Assert.Same(SeccompOn, linux.Seccomp);
    }

    [Fact]
    public void AnnotationsNameLibseccompCheckpointAndHullsVersion()
    {
        var features = Describe();
        Assert.Equal("1.0.0", features.OciVersionMin);
        Assert.Equal("1.0.2-dev", features.OciVersionMax);
        Assert.Equal(new Dictionary<string, string>
        {
            ["io.github.seccomp.libseccomp.version"] = "2.5.4",
            ["org.opencontainers.runc.checkpoint.enabled"] = "true",
            ["hull.version"] = "0.1.0",
            ["hull.commit"] = "abc1234",
        }, features.Annotations);
    }

    [Fact]
    public void WithoutLibseccompOrACheckpointPluginNeitherIsClaimed()
    {
        var features = LinuxBackend.DescribeFeatures(new SeccompFeatures { Enabled = false },
            () => throw new InvalidOperationException("libseccomp is not loaded"), "0.1.0", checkpoint: false);
        Assert.Equal(new Dictionary<string, string> { ["hull.version"] = "0.1.0" }, features.Annotations);
        Assert.False(features.Linux!.Seccomp!.Enabled);
    }

    [Fact]
    public void TheJsonHasRuncsShape()
    {
        var json = JsonNode.Parse(OciJson.SerializeFeatures(Describe()))!;
        Assert.Equal("prestart", json["hooks"]![0]!.GetValue<string>());
        Assert.True(json["linux"]!["cgroup"]!["v1"]!.GetValue<bool>());
        Assert.False(json["linux"]!["cgroup"]!["systemd"]!.GetValue<bool>());
        Assert.True(json["linux"]!["apparmor"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("2.5.4", json["annotations"]!["io.github.seccomp.libseccomp.version"]!.GetValue<string>());
    }
}
