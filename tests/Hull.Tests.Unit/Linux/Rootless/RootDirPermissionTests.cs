using Hull.Plugins.Linux.State;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootless;

public class RootDirPermissionTests
{
    [Fact]
    public void ANonRootUserIsToldHowToGetARootDirOfTheirOwn()
    {
        var e = RootDir.PermissionDenied("cannot create container c1 in the root directory /run/hull", 1000);
        Assert.Equal("cannot create container c1 in the root directory /run/hull: permission denied; as a non-root user (uid 1000) " +
            "set XDG_RUNTIME_DIR (hull then uses $XDG_RUNTIME_DIR/hull) or pass --root with a directory you own", e.Message);
    }

    [Fact]
    public void RootGetsNoRootlessAdvice()
    {
        Assert.Equal("cannot create the root directory /x: permission denied", RootDir.PermissionDenied("cannot create the root directory /x", 0).Message);
    }
}
