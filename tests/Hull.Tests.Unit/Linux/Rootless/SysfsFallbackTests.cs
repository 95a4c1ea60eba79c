using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Rootfs;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootless;

/// <summary>
/// A rootless container without its own network namespace may not mount sysfs (the kernel wants
/// the mounter to own the netns): the plan falls back to binding the host's /sys with the same flags.
/// </summary>
public class SysfsFallbackTests
{
    static MountStep StepFor(string destination, string type, params string[] options)
    {
        var spec = SpecDefaults.Create(false) with
        {
            Mounts = [new Mount { Destination = destination, Type = type, Source = type, Options = options }],
        };
        var facts = new RootfsFacts { Rootfs = "/b/rootfs", Bundle = "/b", BindDevices = true };
        return RootfsPlanner.Plan(spec, facts, noPivot: false).Mounts.OfType<MountStep>().Single(m => m.Destination == destination);
    }

    [Fact]
    public void ARefusedSysfsBecomesARecursiveReadOnlyBindOfTheHostsSys()
    {
        var step = StepFor("/sys", "sysfs", "nosuid", "noexec", "nodev", "ro");
        Assert.Equal("sysfs", step.FsType);
        var fallback = Assert.IsType<MountStep>(step.WhenRefused);
        Assert.Equal("/sys", fallback.Source);
        Assert.Equal("/sys", fallback.Destination);
        Assert.Equal(MountFlags.BIND | MountFlags.REC, fallback.Flags);
        Assert.Equal(MountFlags.BIND | MountFlags.REMOUNT | MountFlags.RDONLY | MountFlags.NOSUID | MountFlags.NODEV | MountFlags.NOEXEC,
            fallback.RemountFlags);
        Assert.True(fallback.NoSymlinks);
    }

    [Fact]
    public void SysfsElsewhereStillRefusesSymlinkedTargets()
    {
        Assert.True(StepFor("/host-sys", "sysfs").WhenRefused!.NoSymlinks);
    }

    [Theory]
    [InlineData("/proc", "proc")]
    [InlineData("/dev/mqueue", "mqueue")]
    [InlineData("/tmp", "tmpfs")]
    public void OtherFilesystemsHaveNoFallback(string destination, string type)
    {
        Assert.Null(StepFor(destination, type).WhenRefused);
    }
}
