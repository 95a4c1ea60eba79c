using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Process;
using static Hull.Plugins.Linux.Interop.Libc.Fs;

namespace Hull.Plugins.Linux.Terminal;

/// <summary>
/// The container process's pty, made by that process itself (the init or exec's process, before
/// it drops privileges): from the container's own devpts instance, so the slave is a /dev/pts/N the
/// container can see and reopen. The master goes to hull over the sync channel; the slave becomes
/// the process's stdio and controlling terminal.
/// </summary>
internal sealed unsafe class ContainerPty : IDisposable
{
    const long DEVPTS_SUPER_MAGIC = 0x1cd1;

    /// <summary>The name sent with the master over a console socket, as runc sends it.</summary>
    public const string MasterName = "/dev/ptmx";

    public int Master { get; private set; }
    public int Slave { get; private set; }

    ContainerPty(int master, int slave)
    {
        Master = master;
        Slave = slave;
    }

    /// <summary>
    /// A new pty from &lt;root&gt;/dev/pts/ptmx, resolved inside <paramref name="root"/> (the rootfs
    /// before pivot_root, "/" once in the container), and checked to be a devpts multiplexer: a
    /// container cannot make hull-init open something else for it. <paramref name="size"/> is
    /// process.consoleSize.
    /// </summary>
    public static ContainerPty Open(string root, Box? size)
    {
        using var rootFd = Libc.Fs.Open(AT_FDCWD, root, O_PATH | O_DIRECTORY, 0, $"opening {root}");
        using var master = Libc.Fs.Open(Fd(rootFd), "dev/pts/ptmx", O_RDWR | O_NOCTTY,
            RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, "opening the container's /dev/pts/ptmx");
        var st = Stat(Fd(master), "", "checking /dev/pts/ptmx");
        if (StatFileSystem(master, "checking /dev/pts/ptmx").Type != DEVPTS_SUPER_MAGIC || (st.Mode & S_IFMT) != S_IFCHR)
            throw new HullException("the container's /dev/pts/ptmx is not a devpts pty multiplexer: mount devpts on /dev/pts to use a terminal");
        int unlock = 0;
        if (Libc.ioctl(Fd(master), Libc.TIOCSPTLCK, &unlock) != 0)
            throw SyscallException.FromLastError("unlocking the pty");
        // The slave by the master's fd, not by a path the container could have replaced.
        var slave = Libc.ioctl_int(Fd(master), Libc.TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0) throw SyscallException.FromLastError("opening the pty's slave");
        var pty = new ContainerPty((int)master.DangerousGetHandle(), slave);
        master.SetHandleAsInvalid();
        if (size is { Height: > 0, Width: > 0 }) Resize(pty.Master, (ushort)size.Height, (ushort)size.Width);
        return pty;
    }

    /// <summary>Hands the master to hull (which passes it on to the console socket, or relays it)
    /// and closes our copy: only the container's side stays here.</summary>
    public void SendMaster(SyncChannel channel)
    {
        channel.SendFd(SyncMessage.ConsoleMaster, Master);
        Libc.close(Master);
        Master = -1;
    }

    /// <summary>The slave as fds 0, 1 and 2 and the controlling terminal of this process's session
    /// (the caller is a session leader: setsid comes first).</summary>
    public void BecomeStdio()
    {
        for (var fd = 0; fd <= 2; fd++)
            if (Libc.dup3(Slave, fd, 0) < 0) throw SyscallException.FromLastError($"making the pty fd {fd}");
        if (Libc.ioctl_int(0, Libc.TIOCSCTTY, 0) != 0)
            throw SyscallException.FromLastError("making the pty the controlling terminal");
        Libc.close(Slave);
        Slave = -1;
    }

    internal static void Resize(int fd, ushort rows, ushort cols)
    {
        var size = new Libc.WinSize { Rows = rows, Cols = cols };
        if (Libc.ioctl(fd, Libc.TIOCSWINSZ, &size) != 0)
            throw SyscallException.FromLastError("setting the console size");
    }

    public void Dispose()
    {
        if (Master >= 0) Libc.close(Master);
        if (Slave >= 0) Libc.close(Slave);
        Master = Slave = -1;
    }
}
