using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using static Hull.Plugins.Linux.Interop.Libc.Creds;

namespace Hull.Plugins.Linux.Setup;
internal sealed unsafe class LibcProcessOps : IProcessOps
{
    static void Check(int rc, string what)
    {
        if (rc != 0) throw SyscallException.FromLastError(what);
    }

    public int SetRlimit(int pid, int resource, ulong soft, ulong hard)
    {
        var limit = stackalloc ulong[2] { soft, hard };
        return prlimit(pid, resource, limit, null) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public (ulong Soft, ulong Hard)? GetRlimit(int pid, int resource)
    {
        var limit = stackalloc ulong[2];
        return prlimit(pid, resource, null, limit) == 0 ? (limit[0], limit[1]) : null;
    }

    // Read once per process, however many of these are made.
    static int? lastCap;

    public int LastCap => lastCap ??= ReadLastCap();

    static int ReadLastCap()
    {
        if (Libc.Fs.TryReadText("/proc/sys/kernel/cap_last_cap") is { } text)
            return int.Parse(text.Trim(), CultureInfo.InvariantCulture);
        // No procfs: probe the bounding set, which ends where the kernel's capabilities do.
        var cap = 0;
        while (prctl(PR_CAPBSET_READ, (nuint)(cap + 1), 0, 0, 0) >= 0) cap++;
        return cap;
    }

    public void DropBounding(int cap) =>
        Check(prctl(PR_CAPBSET_DROP, (nuint)cap, 0, 0, 0), $"dropping {Name(cap)} from the bounding set");

    public void SetKeepCaps(bool keep) => Check(prctl(PR_SET_KEEPCAPS, keep ? 1u : 0u, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");

    public void SetCapabilities(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new CapHeader { Version = LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        var data = stackalloc CapData[2];
        data[0] = new CapData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new CapData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        Check(capset(&header, data), "capset");
    }

    public void ClearAmbient() => Check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clearing the ambient capabilities");

    public bool RaiseAmbient(int cap) => prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (nuint)cap, 0, 0) == 0;

    public void SetNoNewPrivileges() => Check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");

    public bool SetgroupsAllowed => Libc.Fs.TryReadText("/proc/self/setgroups")?.Trim() != "deny";

    public void SetGroups(IReadOnlyList<uint> gids)
    {
        var list = gids.ToArray();
        fixed (uint* p = list)
            Check(setgroups((nuint)list.Length, p), "setgroups");
    }

    public void SetGid(uint gid)
    {
        if (setresgid(gid, gid, gid) == 0) return;
        var e = Marshal.GetLastPInvokeError();
        throw e == SyscallException.EINVAL
            ? new HullException($"cannot set gid to {gid}: it is not mapped in the container's user namespace")
            : new SyscallException($"setgid {gid}", e);
    }

    public void SetUid(uint uid)
    {
        if (setresuid(uid, uid, uid) == 0) return;
        var e = Marshal.GetLastPInvokeError();
        throw e == SyscallException.EINVAL
            ? new HullException($"cannot set uid to {uid}: it is not mapped in the container's user namespace")
            : new SyscallException($"setuid {uid}", e);
    }

    public void FixStdioOwner(uint uid)
    {
        for (var fd = 0; fd <= 2; fd++)
        {
            Libc.Fs.Statx st;
            try { st = Libc.Fs.Stat(fd, "", $"stat of fd {fd}"); }
            catch (SyscallException e) when (e.Errno == 9 /* EBADF: not open */) { continue; }
            if ((st.Mode & Libc.Fs.S_IFMT) == Libc.Fs.S_IFCHR && st.RdevMajor == 1 && st.RdevMinor == 3) continue;
            if (st.Uid == uid) continue;
            // Like runc: an owner or group not mapped here, or a read-only /dev, just leaves it as it is.
            if (fchown(fd, uid, st.Gid) != 0 && Marshal.GetLastPInvokeError() is not (SyscallException.EINVAL or SyscallException.EPERM or SyscallException.EROFS))
                throw SyscallException.FromLastError($"chown of fd {fd}");
        }
    }

    public uint SetUmask(uint mask) => Libc.Fs.umask(mask);

    public void BringLoopbackUp()
    {
        // struct ifreq: the name, then the flags (a short) at offset 16; 40 bytes on 64-bit Linux.
        const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
        const short IFF_UP = 1;
        var ifreq = stackalloc byte[40];
        new Span<byte>(ifreq, 40).Clear();
        ifreq[0] = (byte)'l';
        ifreq[1] = (byte)'o';
        var sock = Libc.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | Libc.SOCK_CLOEXEC, 0);
        if (sock < 0) throw SyscallException.FromLastError("socket for the loopback interface");
        try
        {
            Check(Libc.ioctl(sock, SIOCGIFFLAGS, ifreq), "reading the flags of lo");
            *(short*)(ifreq + 16) |= IFF_UP;
            Check(Libc.ioctl(sock, SIOCSIFFLAGS, ifreq), "setting lo up");
        }
        finally
        {
            Libc.close(sock);
        }
    }

    public void SetHostname(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
            Check(sethostname(p, (nuint)bytes.Length), $"sethostname {name}");
    }

    public void SetDomainname(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
            Check(setdomainname(p, (nuint)bytes.Length), $"setdomainname {name}");
    }

    public string? ReadFile(string path) => Libc.Fs.TryReadText(path);

    static string Name(int cap) => cap < Abstractions.Oci.OciNames.Capabilities.Count ? Abstractions.Oci.OciNames.Capabilities[cap] : $"capability {cap}";
}
