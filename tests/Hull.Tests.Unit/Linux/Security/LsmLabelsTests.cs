using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Security;
using Xunit;

namespace Hull.Tests.Unit.Linux.Security;

public class LsmLabelsTests
{
    static LsmHost Host(Dictionary<string, string> files) => new(path => files.GetValueOrDefault(path), files.ContainsKey);

    static readonly (string, string) Config = ("process.apparmorProfile", "process.selinuxLabel");

    [Fact]
    public void TheLsmListDecidesWhenSecurityfsIsMounted()
    {
        var host = Host(new() { [LsmHost.LsmList] = "lockdown,capability,apparmor", [LsmHost.AppArmorParameter] = "N", [LsmHost.SelinuxFs] = "1" });
        Assert.True(host.AppArmorEnabled);
        Assert.False(host.SelinuxEnabled);
    }

    [Fact]
    public void WithoutSecurityfsTheModuleParameterAndSelinuxfsDecide()
    {
        Assert.True(Host(new() { [LsmHost.AppArmorParameter] = "Y\n" }).AppArmorEnabled);
        Assert.False(Host(new()).AppArmorEnabled);
        Assert.True(Host(new() { [LsmHost.SelinuxFs] = "1" }).SelinuxEnabled);
    }

    [Fact]
    public void LoadedProfilesAreReadFromSecurityfs()
    {
        var host = Host(new() { [LsmHost.AppArmorProfiles] = "docker-default (enforce)\nmy profile (complain)\n" });
        Assert.True(host.AppArmorProfileLoaded("docker-default"));
        Assert.True(host.AppArmorProfileLoaded("my profile"));
        Assert.False(host.AppArmorProfileLoaded("docker"));
        Assert.Null(Host(new()).AppArmorProfileLoaded("docker-default"));
    }

    [Fact]
    public void NoLabelsNeedNoLsm() =>
        new LsmLabels(null, "").Validate(Host(new()), null, Config);

    [Fact]
    public void AnAppArmorProfileWithoutAppArmorIsAClearError()
    {
        var e = Assert.Throws<ConfigException>(() => new LsmLabels("x", null).Validate(Host(new() { [LsmHost.LsmList] = "lockdown" }), null, Config));
        Assert.Contains("process.apparmorProfile asks for the AppArmor profile \"x\", but AppArmor is not enabled on this host", e.Message);
    }

    [Fact]
    public void AnAppArmorProfileThatIsNotLoadedIsAClearError()
    {
        var host = Host(new() { [LsmHost.LsmList] = "apparmor", [LsmHost.AppArmorProfiles] = "docker-default (enforce)\n" });
        new LsmLabels("docker-default", null).Validate(host, null, Config);
        var e = Assert.Throws<ConfigException>(() => new LsmLabels("missing", null).Validate(host, null, ("--apparmor", "--process-label")));
        Assert.Contains("--apparmor asks for the AppArmor profile \"missing\", which is not loaded", e.Message);
    }

    [Fact]
    public void ASelinuxLabelWithoutSelinuxIsRefusedAsRuncDoes()
    {
        var e = Assert.Throws<ConfigException>(() => new LsmLabels(null, "system_u:system_r:t:s0").Validate(Host(new()), null, Config));
        Assert.StartsWith("selinux label is specified in config, but selinux is disabled or not supported", e.Message);
        new LsmLabels(null, "system_u:system_r:t:s0").Validate(Host(new() { [LsmHost.SelinuxFs] = "1" }), null, Config);
    }

    [Fact]
    public void AMountLabelIsRefusedClearly()
    {
        Assert.Contains("selinux is disabled", Assert.Throws<ConfigException>(() => new LsmLabels(null, null).Validate(Host(new()), "l", Config)).Message);
        Assert.Contains("does not label mounts yet", Assert.Throws<ConfigException>(() =>
            new LsmLabels(null, null).Validate(Host(new() { [LsmHost.SelinuxFs] = "1" }), "l", Config)).Message);
    }
}
