using System.Runtime.Versioning;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Rootfs;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootfs;

/// <summary>
/// The real seam's path resolution on real files (no privileges needed: openat2 works for anyone):
/// nothing the image holds — symlinks, "..", dangling links — may make it create or touch anything
/// outside the rootfs.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LibcMountOpsTests : IDisposable
{
    readonly string root;
    readonly string outside;
    readonly LibcMountOps ops = new();

    public LibcMountOpsTests()
    {
        var temp = Directory.CreateTempSubdirectory("hull-rootfs-").FullName;
        root = Path.Combine(temp, "rootfs");
        outside = Path.Combine(temp, "outside");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(outside);
        ops.UseRoot(root);
    }

    public void Dispose()
    {
        ops.Dispose();
        Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);
    }

    string In(string path) => root + path;

    [Fact]
    public void CreatesMissingDirectoriesInsideTheRoot()
    {
        ops.MakeDirectory("/a/b/c");
        Assert.True(Directory.Exists(In("/a/b/c")));
    }

    [Fact]
    public void AbsoluteSymlinkToTheHostIsFollowedInsideTheRoot()
    {
        File.CreateSymbolicLink(In("/evil"), outside);
        ops.MakeDirectory("/evil/x");
        Assert.True(Directory.Exists(In(outside + "/x")));
        Assert.False(Directory.Exists(Path.Combine(outside, "x")));
    }

    [Fact]
    public void DotDotNeverClimbsOutOfTheRoot()
    {
        File.CreateSymbolicLink(In("/up"), "../../../../../../../..");
        ops.MakeDirectory("/up/escaped");
        Assert.True(Directory.Exists(In("/escaped")));
        ops.MakeDirectory("/../../outside/y");
        Assert.True(Directory.Exists(In("/outside/y")));
        Assert.False(Directory.Exists(Path.Combine(outside, "y")));
    }

    [Fact]
    public void DanglingLinkIsCreatedWhereItPointsInsideTheRoot()
    {
        Directory.CreateDirectory(In("/etc"));
        File.CreateSymbolicLink(In("/etc/resolv.conf"), outside + "/resolv.conf");
        using (var fd = ops.Resolve("/etc/resolv.conf", MountTarget.File, noSymlinks: false))
            Assert.Equal(In(outside + "/resolv.conf"), Libc.Fs.ReadLink(Libc.Fs.AT_FDCWD, Libc.Fs.ProcFdPath(fd), "readlink"));
        Assert.True(File.Exists(In(outside + "/resolv.conf")));
        Assert.False(File.Exists(Path.Combine(outside, "resolv.conf")));

        Directory.CreateDirectory(In("/a"));
        File.CreateSymbolicLink(In("/a/link"), "../b/c");
        ops.MakeDirectory("/a/link");
        Assert.True(Directory.Exists(In("/b/c")));
    }

    [Fact]
    public void SymlinkLoopIsAnErrorNotAHang()
    {
        File.CreateSymbolicLink(In("/loop1"), "/loop2");
        File.CreateSymbolicLink(In("/loop2"), "/loop1");
        var e = Assert.Throws<SyscallException>(() => ops.MakeDirectory("/loop1/x"));
        Assert.Equal(SyscallException.ELOOP, e.Errno);
    }

    [Fact]
    public void DevThroughASymlinkIsRefused()
    {
        File.CreateSymbolicLink(In("/dev"), outside);
        var e = Assert.Throws<HullException>(() => ops.MakeDevice(new DeviceStep("/dev/null", 'c', 1, 3, 0x1b6, 0, 0, Bind: false)));
        Assert.Contains("symlink", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Fact]
    public void DevNullThatIsASymlinkIsRefused()
    {
        Directory.CreateDirectory(In("/dev"));
        File.CreateSymbolicLink(In("/dev/null"), "/proc/sys/kernel/core_pattern");
        var e = Assert.Throws<HullException>(() => ops.MakeDevice(new DeviceStep("/dev/null", 'c', 1, 3, 0x1b6, 0, 0, Bind: false)));
        Assert.Equal("/dev/null in the rootfs is a symlink: refusing to use it as a device node; remove it from the image", e.Message);
    }

    [Fact]
    public void MasksAreNeverMadeFromAFakeOrSymlinkedDevNull()
    {
        Directory.CreateDirectory(In("/proc"));
        Directory.CreateDirectory(In("/dev"));
        File.WriteAllText(In("/proc/keys"), "");
        File.WriteAllText(In("/dev/null"), "not a device");
        var e = Assert.Throws<HullException>(() => ops.Mask("/proc/keys"));
        Assert.Equal("/dev/null is not the null device (character device 1:3): refusing to mask paths with it", e.Message);

        using var other = new LibcMountOps();
        other.UseRoot(root);
        File.Delete(In("/dev/null"));
        File.CreateSymbolicLink(In("/dev/null"), "/proc/sys/kernel/core_pattern");
        Assert.Contains("symlink", Assert.Throws<HullException>(() => other.Mask("/proc/keys")).Message);
    }

    [Fact]
    public void ConsoleIsNeverBoundThroughASymlink()
    {
        Directory.CreateDirectory(In("/dev"));
        File.CreateSymbolicLink(In("/dev/console"), outside + "/console");
        var e = Assert.Throws<HullException>(() => ops.BindConsole(0));
        Assert.Equal("/dev/console in the rootfs is a symlink: refusing to bind the terminal onto it", e.Message);
        Assert.False(File.Exists(Path.Combine(outside, "console")));
    }

    [Fact]
    public void ExistingDeviceNodeIsKept()
    {
        Directory.CreateDirectory(In("/dev"));
        File.WriteAllText(In("/dev/zero"), "image's own");
        ops.MakeDevice(new DeviceStep("/dev/zero", 'c', 1, 5, 0x1b6, 0, 0, Bind: false));
        Assert.Equal("image's own", File.ReadAllText(In("/dev/zero")));
    }

    [Fact]
    public void StrictTargetsRefuseAnySymlinkOnTheWay()
    {
        Directory.CreateDirectory(In("/real"));
        File.CreateSymbolicLink(In("/proc"), "/real");
        var e = Assert.Throws<HullException>(() => ops.Resolve("/proc", MountTarget.Directory, noSymlinks: true));
        Assert.Contains("symlink", e.Message);
    }

    [Fact]
    public void SymlinksAreMadeReplacedOrKept()
    {
        Directory.CreateDirectory(In("/dev"));
        File.WriteAllText(In("/dev/ptmx"), "");
        File.WriteAllText(In("/dev/fd"), "");
        ops.Symlink(new SymlinkStep("pts/ptmx", "/dev/ptmx", Replace: true));
        ops.Symlink(new SymlinkStep("/proc/self/fd", "/dev/fd"));
        ops.Symlink(new SymlinkStep("/proc/self/fd/0", "/dev/stdin"));
        Assert.Equal("pts/ptmx", new FileInfo(In("/dev/ptmx")).LinkTarget);
        Assert.Null(new FileInfo(In("/dev/fd")).LinkTarget);
        Assert.Equal("/proc/self/fd/0", new FileInfo(In("/dev/stdin")).LinkTarget);
    }

    [Fact]
    public void MissingMaskedOrReadonlyPathsAreSkipped()
    {
        ops.Mask("/proc/kcore");
        ops.MakeReadonly("/proc/sys");
        Assert.False(Directory.Exists(In("/proc")));
    }

    [Fact]
    public void MissingBindSourceIsAClearError()
    {
        var e = Assert.Throws<HullException>(() => ops.Mount(new MountStep { Destination = "/x", Source = "/nonexistent/src", Target = MountTarget.LikeSource, Flags = MountFlags.BIND }));
        Assert.Equal("mount source /nonexistent/src for /x does not exist: no such file or directory", e.Message);
        Assert.False(Path.Exists(In("/x")));
    }
}
