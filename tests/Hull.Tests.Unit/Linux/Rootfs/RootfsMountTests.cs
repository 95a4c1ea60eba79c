using System.Runtime.Versioning;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Rootfs;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootfs;

/// <summary>
/// Real mounts, as root, in a mount namespace private to one thread (nothing reaches the host and
/// everything is gone when the thread ends). Skipped when not root.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RootfsMountTests : IDisposable
{
    readonly string bundle = Directory.CreateTempSubdirectory("hull-mounts-").FullName;
    string Rootfs => Path.Combine(bundle, "rootfs");

    public RootfsMountTests()
    {
        foreach (var d in new[] { "bin", "etc", "tmp" }) Directory.CreateDirectory(Path.Combine(Rootfs, d));
        File.WriteAllText(Path.Combine(Rootfs, "etc/hostname"), "image\n");
    }

    public void Dispose() => Directory.Delete(bundle, recursive: true);

    static string Kind(string path)
    {
        try
        {
            var st = Libc.Fs.Stat(Libc.Fs.AT_FDCWD, path, path);
            return (st.Mode & Libc.Fs.S_IFMT) switch
            {
                Libc.Fs.S_IFCHR => $"chr {st.RdevMajor}:{st.RdevMinor}",
                Libc.Fs.S_IFDIR => "dir",
                Libc.Fs.S_IFLNK => "link " + Libc.Fs.ReadLink(Libc.Fs.AT_FDCWD, path, path),
                Libc.Fs.S_IFREG => "file",
                _ => "other",
            };
        }
        catch (SyscallException e)
        {
            return "error " + e.Errno;
        }
    }

    static string TryWrite(string path)
    {
        try
        {
            File.WriteAllText(path, "x");
            return "written";
        }
        catch (IOException e)
        {
            return e.Message.Contains("Read-only", StringComparison.Ordinal) ? "read-only" : "error " + e.Message;
        }
        catch (UnauthorizedAccessException e)
        {
            return "denied " + e.Message;
        }
    }

    [SkippableFact]
    public void RuncsDefaultSpecBuildsTheContainersFilesystemAndPivotsIntoIt()
    {
        Skip.IfNot(PrivateNamespace.Available, "needs root to mount");
        var spec = SpecDefaults.Create(false);
        var seen = PrivateNamespace.Run(() =>
        {
            var facts = RootfsFacts.Gather(Rootfs, bundle, containerHasUserNamespace: false);
            using var setup = new RootfsSetup(RootfsPlanner.Plan(spec, facts, noPivot: false), new LibcMountOps());
            setup.MountAll();
            var mounts = MountInfo.Parse(File.ReadAllText("/proc/thread-self/mountinfo"))
                .Where(m => MountInfo.IsAtOrUnder(m.Mountpoint, Rootfs))
                .Select(m => (m.Mountpoint[Rootfs.Length..], m.FsType))
                .ToList();
            setup.Enter();
            // Now inside: "/" is the rootfs.
            return new
            {
                Mounts = mounts,
                DevNull = Kind("/dev/null"),
                Ptmx = Kind("/dev/ptmx"),
                Stdin = Kind("/dev/stdin"),
                Keys = Kind("/proc/keys"),
                AcpiWrite = TryWrite("/proc/acpi/x"),
                Core = Kind("/dev/core"),
                Hostname = File.ReadAllText("/etc/hostname"),
                RootWrite = TryWrite("/newfile"),
                ProcSysWrite = TryWrite("/proc/sys/kernel/domainname"),
                DevWrite = TryWrite("/dev/shm/ok"),
                CgroupMemory = Kind("/sys/fs/cgroup/memory"),
                SysWrite = TryWrite("/sys/kernel/profiling"),
            };
        });
        Assert.Contains(("/proc", "proc"), seen.Mounts);
        Assert.Contains(("/dev", "tmpfs"), seen.Mounts);
        Assert.Contains(("/dev/pts", "devpts"), seen.Mounts);
        Assert.Contains(("/dev/shm", "tmpfs"), seen.Mounts);
        Assert.Contains(("/dev/mqueue", "mqueue"), seen.Mounts);
        Assert.Contains(("/sys", "sysfs"), seen.Mounts);
        Assert.Contains(("/sys/fs/cgroup", "tmpfs"), seen.Mounts);
        Assert.Contains(("/sys/fs/cgroup/memory", "cgroup"), seen.Mounts);
        Assert.Equal("chr 1:3", seen.DevNull);
        Assert.Equal("link pts/ptmx", seen.Ptmx);
        Assert.Equal("link /proc/self/fd/0", seen.Stdin);
        // A masked file is /dev/null, a masked directory an empty read-only tmpfs.
        Assert.Equal("chr 1:3", seen.Keys);
        Assert.Equal("read-only", seen.AcpiWrite);
        // /dev/core only where the host has /proc/kcore.
        Assert.Equal(File.Exists("/proc/kcore") ? "link /proc/kcore" : "error 2", seen.Core);
        Assert.Equal("image\n", seen.Hostname);
        Assert.Equal("read-only", seen.RootWrite);
        Assert.Equal("read-only", seen.ProcSysWrite);
        Assert.Equal("written", seen.DevWrite);
        Assert.Equal("dir", seen.CgroupMemory);
        Assert.Equal("read-only", seen.SysWrite);
        Assert.False(File.Exists(Path.Combine(Rootfs, "newfile")));
    }

    [SkippableFact]
    public void BindOntoASymlinkToTheHostLandsInsideTheRootfs()
    {
        Skip.IfNot(PrivateNamespace.Available, "needs root to mount");
        var hostTarget = Path.Combine(bundle, "host-target");
        var source = Path.Combine(bundle, "source");
        Directory.CreateDirectory(hostTarget);
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "marker"), "from source");
        File.CreateSymbolicLink(Path.Combine(Rootfs, "evil"), hostTarget);
        var spec = SpecDefaults.Create(false) with
        {
            Mounts = [new Mount { Destination = "/evil", Type = "bind", Source = source, Options = ["rbind", "ro"] }],
        };
        var seen = PrivateNamespace.Run(() =>
        {
            var facts = RootfsFacts.Gather(Rootfs, bundle, false);
            using var setup = new RootfsSetup(RootfsPlanner.Plan(spec, facts, false), new LibcMountOps());
            setup.MountAll();
            return new
            {
                OnHost = File.Exists(Path.Combine(hostTarget, "marker")),
                InRootfs = File.ReadAllText(Path.Combine(Rootfs + hostTarget, "marker")),
                Write = TryWrite(Path.Combine(Rootfs + hostTarget, "new")),
            };
        });
        Assert.False(seen.OnHost);
        Assert.Equal("from source", seen.InRootfs);
        Assert.Equal("read-only", seen.Write);
    }

    [SkippableFact]
    public void TerminalIsBoundOntoDevConsole()
    {
        Skip.IfNot(PrivateNamespace.Available, "needs root to mount");
        var seen = PrivateNamespace.Run(() =>
        {
            using var setup = new RootfsSetup(RootfsPlanner.Plan(SpecDefaults.Create(false), RootfsFacts.Gather(Rootfs, bundle, false), false), new LibcMountOps());
            setup.MountAll();
            // Any character device of the container stands in for the pty slave (which the init
            // opens from the container's /dev/pts: a bind source must be in the same mount namespace).
            using var slave = File.OpenHandle(Path.Combine(Rootfs, "dev/zero"));
            setup.BindConsole((int)slave.DangerousGetHandle());
            return Kind(Path.Combine(Rootfs, "dev/console"));
        });
        Assert.Equal("chr 1:5", seen);
    }

    [SkippableFact]
    public void TmpcopyupCopiesTheCoveredContentWithoutFollowingLinks()
    {
        Skip.IfNot(PrivateNamespace.Available, "needs root to mount");
        var data = Path.Combine(Rootfs, "data");
        Directory.CreateDirectory(Path.Combine(data, "sub"));
        File.WriteAllText(Path.Combine(data, "sub/file"), "content");
        File.CreateSymbolicLink(Path.Combine(data, "passwd"), "/etc/passwd");
        var spec = SpecDefaults.Create(false) with
        {
            Mounts = [new Mount { Destination = "/data", Type = "tmpfs", Source = "tmpfs", Options = ["tmpcopyup", "mode=755"] }],
        };
        var seen = PrivateNamespace.Run(() =>
        {
            using var setup = new RootfsSetup(RootfsPlanner.Plan(spec, RootfsFacts.Gather(Rootfs, bundle, false), false), new LibcMountOps());
            setup.MountAll();
            var fsType = MountInfo.Parse(File.ReadAllText("/proc/thread-self/mountinfo")).Last(m => m.Mountpoint == data).FsType;
            var written = TryWrite(Path.Combine(data, "only-in-tmpfs"));
            return new { FsType = fsType, File = File.ReadAllText(Path.Combine(data, "sub/file")), Link = Kind(Path.Combine(data, "passwd")), Written = written };
        });
        Assert.Equal("tmpfs", seen.FsType);
        Assert.Equal("content", seen.File);
        Assert.Equal("link /etc/passwd", seen.Link);
        Assert.Equal("written", seen.Written);
        // The tmpfs is gone with the namespace: the image's directory is untouched.
        Assert.False(File.Exists(Path.Combine(data, "only-in-tmpfs")));
    }
}
