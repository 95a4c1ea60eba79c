using System.Runtime.InteropServices;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Process;
using Microsoft.Win32.SafeHandles;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>
/// The SCMP_ACT_NOTIFY hand-over, done by hull's parent process (never by the container's init:
/// after the root switch listenerPath is out of its reach, and every syscall it makes after the
/// filter is in must be as few as possible). As runc: the init installs the filter, writes the
/// listener fd's number to hull over its sync socket and waits; hull copies the fd out of the init
/// with <see cref="TakeFromProcess"/>, tells the init to go on (it closes its copy and execs), and
/// sends the copy to the agent with <see cref="Send"/>.
/// </summary>
public static class SeccompListener
{
    /// <summary>A copy of file descriptor <paramref name="remoteFd"/> of process <paramref name="pid"/>
    /// (pidfd_getfd(2), Linux 5.6+; needs ptrace rights over the process, which hull has over its own
    /// children). The copy is O_CLOEXEC.</summary>
    public static SafeFileHandle TakeFromProcess(int pid, int remoteFd)
    {
        var pidfd = (int)SeccompNative.syscall(SeccompNative.SYS_pidfd_open, pid, 0, 0);
        if (pidfd < 0) throw Failure($"cannot open process {pid} to take its seccomp notify fd (pidfd_open)");
        try
        {
            var fd = (int)SeccompNative.syscall(SeccompNative.SYS_pidfd_getfd, pidfd, remoteFd, 0);
            if (fd < 0) throw Failure($"cannot take the seccomp notify fd {remoteFd} from process {pid} (pidfd_getfd)");
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        finally
        {
            SeccompNative.close(pidfd);
        }
    }

    /// <summary>
    /// Connects to the agent's unix stream socket at <paramref name="listenerPath"/> and sends, on that
    /// one connection, <paramref name="state"/> as JSON with <paramref name="listenerFd"/> in SCM_RIGHTS
    /// (the fd goes with the first sendmsg only, as the spec requires), then closes it. A failure is an
    /// error: the spec says the runtime must fail when the agent cannot be reached.
    /// </summary>
    public static void Send(string listenerPath, SafeHandle listenerFd, ContainerProcessState state)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(state, SeccompJsonContext.Default.ContainerProcessState);
        var sock = FdPassing.Connect(listenerPath, "the seccomp agent (linux.seccomp.listenerPath)");
        var added = false;
        try
        {
            listenerFd.DangerousAddRef(ref added);
            var sent = 0;
            while (sent < payload.Length)
            {
                var n = FdPassing.Send(sock, payload.AsSpan(sent), sent == 0 ? (int)listenerFd.DangerousGetHandle() : -1);
                if (n < 0) throw Failure($"cannot send the seccomp notify fd to {listenerPath}");
                sent += (int)n;
            }
        }
        finally
        {
            if (added) listenerFd.DangerousRelease();
            SeccompNative.close(sock);
        }
    }

    private static HullException Failure(string what) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
}
