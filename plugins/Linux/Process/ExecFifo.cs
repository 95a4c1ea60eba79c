using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The exec fifo (runc's): `create` makes it in the container's state dir, the init blocks opening
/// it for writing, and `start` opens it for reading, which releases the init. Its presence is what
/// tells "created" from "running".
/// </summary>
internal static unsafe class ExecFifo
{
    /// <summary>Makes the fifo and returns an O_PATH fd to it for the init (which cannot see the
    /// state dir once it has pivoted into the rootfs).</summary>
    public static int Create(string path)
    {
        // 0622: a container process that already dropped to its user must still be able to open it.
        Libc.Check(Libc.mkfifo(path, 0b110_010_010), $"creating the exec fifo {path}");
        // mkfifo obeys the umask; the mode must not.
        Libc.Check(Libc.chmod(path, 0b110_010_010), $"chmod of the exec fifo {path}");
        return Libc.Check(Libc.open(path, Libc.O_PATH | Libc.O_CLOEXEC, 0), $"opening the exec fifo {path}");
    }

    /// <summary>Init side: blocks until start opens the other end, then tells it we are going.</summary>
    public static void WaitForStart(int fifoFd)
    {
        var proc = $"/proc/self/fd/{fifoFd}";
        var fd = (int)Libc.Retry(() => Libc.open(proc, Libc.O_WRONLY | Libc.O_CLOEXEC, 0));
        if (fd < 0) throw new HullException($"opening the exec fifo ({proc}): {Libc.Describe(Libc.LastErrno)}");
        byte zero = (byte)'0';
        nint n;
        do n = Libc.write(fd, &zero, 1);
        while (n < 0 && Libc.LastErrno == Errno.EINTR);
        Libc.close(fd);
        Libc.close(fifoFd);
        if (n != 1) throw new HullException($"writing the exec fifo: {Libc.Describe(Libc.LastErrno)}");
    }

    /// <summary>
    /// Start side: releases the init waiting on the fifo and removes it. Fails if the init dies
    /// first rather than blocking forever.
    /// </summary>
    public static void Release(string path, Func<bool> initAlive)
    {
        // Non-blocking open for reading succeeds with no writer yet; the init's blocked open then completes.
        var fd = Libc.open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            if (Libc.LastErrno == Errno.ENOENT) throw new HullException("cannot start an already running container");
            throw new HullException($"opening the exec fifo {path}: {Libc.Describe(Libc.LastErrno)}");
        }
        try
        {
            var pfd = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
            while (true)
            {
                var rc = Libc.poll(&pfd, 1, 50);
                if (rc < 0 && Libc.LastErrno != Errno.EINTR)
                    throw new HullException($"waiting on the exec fifo: {Libc.Describe(Libc.LastErrno)}");
                if (rc > 0)
                {
                    byte b;
                    var n = Libc.read(fd, &b, 1);
                    if (n == 1) break;
                    if (n == 0) throw new HullException("cannot start a container that has stopped");
                }
                else if (!initAlive())
                {
                    throw new HullException("cannot start a container that has stopped");
                }
            }
        }
        finally
        {
            Libc.close(fd);
        }
        File.Delete(path);
    }
}
