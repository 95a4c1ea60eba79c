using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>Waiting for and decoding the exit of child processes.</summary>
internal static unsafe class ProcessWaiter
{
    /// <summary>Waits for a child and returns its raw wait status, or null if it is not our child (ECHILD).</summary>
    public static int? Wait(int pid)
    {
        int status;
        int rc;
        do rc = Libc.waitpid(pid, &status, 0);
        while (rc == -1 && Libc.LastErrno == Errno.EINTR);
        return rc == pid ? status : null;
    }

    /// <summary>Reaps a child we are done with; one that is not ours (or gone) is fine.</summary>
    public static void Reap(int pid) => Wait(pid);

    /// <summary>
    /// Waits until <paramref name="pid"/> exits, reaping any other child that exits meanwhile (as a
    /// subreaper, hull inherits the container's orphans when the container shares hull's PID
    /// namespace). Returns the raw wait status, or null if the pid is not our child.
    /// </summary>
    public static int? WaitReapingOthers(int pid)
    {
        while (true)
        {
            int status;
            var rc = Libc.waitpid(-1, &status, 0);
            if (rc == -1)
            {
                if (Libc.LastErrno == Errno.EINTR) continue;
                return null;
            }
            if (rc == pid) return status;
        }
    }

    /// <summary>The shell convention hull and runc exit with: the code, or 128+signal when killed.</summary>
    public static int ExitCode(int status) =>
        Libc.WIfExited(status) ? Libc.WExitStatus(status)
        : Libc.WIfSignaled(status) ? 128 + Libc.WTermSig(status)
        : 255;
}
