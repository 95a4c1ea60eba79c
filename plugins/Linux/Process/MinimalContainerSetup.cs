using System.Runtime.InteropServices;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>Which in-container setup the init uses.</summary>
internal static class ContainerSetups
{
    public static IContainerSetup Default => MinimalContainerSetup.Instance;
}

/// <summary>
/// TEMPORARY, until the Rootfs/Setup/Hooks parts of this plugin land: just enough rootfs and
/// process setup to run a busybox bundle (config mounts with basic flags, pivot_root, read-only
/// root, hostname, uid/gid/groups, rlimits). It refuses what it cannot do (hooks) instead of
/// ignoring it. No symlink-safe mount resolution, masked paths, devices or capabilities.
/// </summary>
internal sealed unsafe partial class MinimalContainerSetup : IContainerSetup
{
    public static MinimalContainerSetup Instance { get; } = new();

    const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_BIND = 4096,
        MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_STRICTATIME = 1 << 24;

    public void MountRootfs(Spec spec, InitOptions options)
    {
        var propagation = spec.Linux?.RootfsPropagation switch
        {
            "shared" or "rshared" => MS_SHARED, "slave" or "rslave" => MS_SLAVE, _ => MS_PRIVATE,
        };
        Mount(null, "/", null, MS_REC | propagation, null);
        Mount(options.Rootfs, options.Rootfs, null, MS_BIND | MS_REC, null);
        foreach (var m in spec.Mounts ?? [])
        {
            // A cgroup mount needs the cgroup layout logic (a v1 tmpfs of per-controller binds); skipped here.
            if (m.Type == "cgroup") continue;
            var target = options.Rootfs + m.Destination;
            ulong flags = 0;
            var data = new List<string>();
            foreach (var o in m.Options ?? [])
            {
                switch (o)
                {
                    case "ro": flags |= MS_RDONLY; break;
                    case "nosuid": flags |= MS_NOSUID; break;
                    case "nodev": flags |= MS_NODEV; break;
                    case "noexec": flags |= MS_NOEXEC; break;
                    case "strictatime": flags |= MS_STRICTATIME; break;
                    case "bind": flags |= MS_BIND; break;
                    case "rbind": flags |= MS_BIND | MS_REC; break;
                    case "rw" or "private" or "rprivate": break;
                    default: data.Add(o); break;
                }
            }
            var isBind = (flags & MS_BIND) != 0;
            if (isBind && File.Exists(m.Source) && !File.Exists(target))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllBytes(target, []);
            }
            else Directory.CreateDirectory(target);
            try
            {
                Mount(m.Source, target, m.Type, flags, data.Count > 0 ? string.Join(',', data) : null);
            }
            catch (HullException) when (m.Type is "sysfs" or "mqueue" && (spec.Linux?.Namespaces ?? []).Any(n => n.Type == "user"))
            {
                // Without its namespace (or in a user namespace), the kernel may refuse these; runc falls back to binds.
                continue;
            }
            if (isBind && (flags & MS_RDONLY) != 0) Mount(null, target, null, MS_BIND | MS_REMOUNT | MS_RDONLY | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)), null);
        }
    }

    public void RunCreateContainerHooks(Spec spec, InitOptions options)
    {
        if (spec.Hooks is { } h && (h.Prestart ?? h.CreateRuntime ?? h.CreateContainer ?? h.StartContainer ?? h.Poststart ?? h.Poststop) is { Count: > 0 })
            throw new HullException("hooks are not supported yet by this build of hull");
    }

    public void EnterRootfs(Spec spec, InitOptions options)
    {
        if (chdir(options.Rootfs) != 0) throw Fail("chdir to rootfs");
        if (options.NoPivot)
        {
            Mount(options.Rootfs, "/", null, 8192 /* MS_MOVE */, null);
            if (chroot(".") != 0) throw Fail("chroot");
        }
        else
        {
            // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the rootfs.
            if (pivot_root(".", ".") != 0) throw Fail("pivot_root");
            if (umount2(".", 2 /* MNT_DETACH */) != 0) throw Fail("unmounting the old root");
        }
        if (chdir("/") != 0) throw Fail("chdir /");
        if (spec.Root?.Readonly == true) Mount(null, "/", null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, null);
    }

    public void ConfigureContainer(Spec spec)
    {
        if (!string.IsNullOrEmpty(spec.Hostname) && sethostname(spec.Hostname, (nuint)spec.Hostname.Length) != 0)
            throw Fail("sethostname");
    }

    public void BecomeContainerProcess(Spec spec)
    {
        var user = spec.Process!.User;
        var groups = (user.AdditionalGids ?? []).ToArray();
        fixed (uint* g = groups)
            if (setgroups((nuint)groups.Length, g) != 0) throw Fail("setgroups");
        if (setresgid(user.Gid, user.Gid, user.Gid) != 0) throw Fail("setresgid");
        if (setresuid(user.Uid, user.Uid, user.Uid) != 0) throw Fail("setresuid");
        if (user.Umask is { } umaskValue) umask(umaskValue);
    }

    public void RunStartContainerHooks(Spec spec, InitOptions options) { }

    public void ApplyRlimits(Spec spec)
    {
        var limit = stackalloc ulong[2];
        foreach (var r in spec.Process?.Rlimits ?? [])
        {
            var resource = Array.IndexOf(RlimitNames, r.Type);
            if (resource < 0) throw new ConfigException($"rlimit \"{r.Type}\" is unknown", "process.rlimits");
            limit[0] = r.Soft;
            limit[1] = r.Hard;
            if (setrlimit(resource, limit) != 0) throw Fail($"setrlimit {r.Type}");
        }
    }

    static readonly string[] RlimitNames =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    static void Mount(string? source, string target, string? type, ulong flags, string? data)
    {
        if (mount(source, target, type, flags, data) != 0)
            throw new HullException($"mount {source ?? "none"} to {target} ({type}): {Libc.Describe(Libc.LastErrno)}");
    }

    static HullException Fail(string what) => new($"{what}: {Libc.Describe(Libc.LastErrno)}");

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string? source, string target, string? type, ulong flags, string? data);

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int pivot_root(string newRoot, string putOld);

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chroot(string path);

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chdir(string path);

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int sethostname(string name, nuint len);

    [LibraryImport(Libc.Name, SetLastError = true)]
    private static partial int setgroups(nuint size, uint* list);

    [LibraryImport(Libc.Name, SetLastError = true)]
    private static partial int setresgid(uint r, uint e, uint s);

    [LibraryImport(Libc.Name, SetLastError = true)]
    private static partial int setresuid(uint r, uint e, uint s);

    [LibraryImport(Libc.Name)]
    private static partial uint umask(uint mask);

    [LibraryImport(Libc.Name, SetLastError = true)]
    private static partial int setrlimit(int resource, ulong* limit);
}
