using Hull.Plugins.Linux.Security;
using Hull.Tests.Integration.Exec;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Security;

/// <summary>
/// AppArmor profiles and SELinux labels asked for on a host where that LSM is not active: a clear
/// error before anything starts (runc fails later, with "write /proc/self/attr/exec: invalid
/// argument"), for the config and for exec's flags. Where the LSM is active these tests skip: the
/// label would then apply.
/// </summary>
public sealed class LabelTests : IDisposable
{
    readonly Runtime hull = Runtime.Hull();
    readonly List<IDisposable> owned = [];

    Bundle NewBundle()
    {
        Runtime.RequireContainers();
        var b = Bundle.Create("true");
        owned.Add(b);
        return b;
    }

    [SkippableFact]
    public void AnAppArmorProfileWithoutAppArmorFailsCreateAndLeavesNothing()
    {
        Skip.If(LsmHost.Real.AppArmorEnabled, "AppArmor is active here: the profile would be applied");
        var b = NewBundle();
        b.Edit(c => c["process"]!["apparmorProfile"] = "hull-test-profile");
        var r = hull.Detached("run", "-d", "--bundle", b.Dir, Runtime.NewId("apparmor"));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("hull: process.apparmorProfile asks for the AppArmor profile \"hull-test-profile\", but AppArmor is not enabled on this host: remove the profile, or run on a host with AppArmor\n", r.Stderr);
        Assert.Empty(hull.Ids());
        Assert.Empty(Leftovers.MountsUnder(b.Dir));
    }

    [SkippableFact]
    public void SelinuxLabelsWithoutSelinuxFailCreate()
    {
        Skip.If(LsmHost.Real.SelinuxEnabled, "SELinux is active here: the label would be applied");
        var process = NewBundle();
        process.Edit(c => c["process"]!["selinuxLabel"] = "system_u:system_r:container_t:s0");
        var r1 = hull.Detached("run", "-d", "--bundle", process.Dir, Runtime.NewId("selinux"));
        Assert.Equal(1, r1.ExitCode);
        Assert.StartsWith("hull: selinux label is specified in config, but selinux is disabled or not supported", r1.Stderr);

        var mount = NewBundle();
        mount.Edit(c => c["linux"]!["mountLabel"] = "system_u:object_r:container_file_t:s0");
        var r2 = hull.Detached("run", "-d", "--bundle", mount.Dir, Runtime.NewId("mountlabel"));
        Assert.Equal(1, r2.ExitCode);
        Assert.Contains("linux.mountLabel \"system_u:object_r:container_file_t:s0\" is set, but selinux is disabled", r2.Stderr);
        Assert.Empty(hull.Ids());
    }

    [SkippableFact]
    public void ExecLabelFlagsWithoutTheirLsmFailExec()
    {
        Skip.If(LsmHost.Real.AppArmorEnabled || LsmHost.Real.SelinuxEnabled, "an LSM is active here");
        Runtime.RequireContainers();
        var c = LiveContainer.Start(hull, "labels");
        owned.Add(c);
        var apparmor = c.ExecWith(["--apparmor", "p"], "true");
        Assert.Equal(255, apparmor.ExitCode);
        Assert.StartsWith("hull: exec failed: --apparmor asks for the AppArmor profile \"p\", but AppArmor is not enabled", apparmor.Stderr);
        var label = c.ExecWith(["--process-label", "system_u:system_r:t:s0"], "true");
        Assert.Equal(255, label.ExitCode);
        Assert.StartsWith("hull: exec failed: selinux label is specified in config, but selinux is disabled or not supported: remove --process-label", label.Stderr);
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        hull.Dispose();
    }
}
