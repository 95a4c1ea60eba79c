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

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AMissingXdgRuntimeDirIsMadePrivateWithTheRootDir()
    {
        var temp = Directory.CreateTempSubdirectory("hull-xdg-").FullName;
        try
        {
            var xdg = Path.Combine(temp, "user", "1000");
            var root = RootDir.Ensure(RootDir.Resolve(null, new HostIdentity(1000, true, xdg, "alice")), 1000);
            Assert.Equal(Path.Combine(xdg, "hull"), root);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(xdg));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(xdg)!));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
