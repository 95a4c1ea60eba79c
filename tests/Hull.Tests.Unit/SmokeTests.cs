using Hull.Abstractions.Plugins;
using Xunit;

namespace Hull.Tests.Unit;

public class SmokeTests
{
    [Fact]
    public void LinuxPluginSupportsOnlyLinux()
    {
        var linux = new Hull.Plugins.Linux.LinuxPlugin();
        Assert.True(linux.SupportsPlatform(PlatformInfo.Current with { IsLinux = true }));
        Assert.False(linux.SupportsPlatform(PlatformInfo.Current with { IsLinux = false }));
    }
}
