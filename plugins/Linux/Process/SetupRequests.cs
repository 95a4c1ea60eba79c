using System.Buffers.Binary;
using System.Text;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Seccomp;
using Hull.Plugins.Linux.Terminal;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// hull's answers to what the container's process (the init during create, or exec's process)
/// asks for while it sets itself up, whichever command is listening: warnings for hull's log, its
/// pty master (to the console socket or the foreground relay), and its seccomp notify fd (to the
/// agent at linux.seccomp.listenerPath, with the runtime-spec's container process state).
/// </summary>
internal sealed class SetupRequests(Action<string> warn, IConsoleReceiver? console, LinuxSeccomp? seccomp, Func<int, ContainerProcessState> processState)
{
    /// <summary>Handles <paramref name="frame"/> from process <paramref name="pid"/> if it is one of
    /// these requests (an Error frame throws its text); false for anything else.</summary>
    public bool Handle(SyncChannel channel, SyncFrame frame, int pid)
    {
        switch (frame.Type)
        {
            case SyncMessage.Warning:
                warn(Encoding.UTF8.GetString(frame.Payload));
                return true;
            case SyncMessage.Error:
                throw new HullException(Encoding.UTF8.GetString(frame.Payload));
            case SyncMessage.ConsoleMaster:
                if (frame.Fd < 0) throw new HullException("the container's process sent its terminal without the fd");
                if (console is null)
                {
                    Libc.close(frame.Fd);
                    throw new HullException("the container's process made a terminal that was not asked for");
                }
                console.Accept(frame.Fd);
                return true;
            case SyncMessage.SeccompFd:
                HandOverListener(channel, frame, pid);
                return true;
            default:
                if (frame.Fd >= 0) Libc.close(frame.Fd);
                return false;
        }
    }

    /// <summary>runc's order: the fd is copied out of the process and delivered to the agent before
    /// the process may go on, so a missing agent fails the command before the process runs.</summary>
    void HandOverListener(SyncChannel channel, SyncFrame frame, int pid)
    {
        if (seccomp is null || string.IsNullOrEmpty(seccomp.ListenerPath))
            throw new HullException("the container's process has a seccomp notify fd but linux.seccomp.listenerPath is not set");
        if (frame.Payload.Length != 4) throw new HullException("the container's process sent a malformed seccomp notify fd");
        var remote = BinaryPrimitives.ReadInt32LittleEndian(frame.Payload);
        using (var copy = SeccompListener.TakeFromProcess(pid, remote))
            SeccompListener.Send(seccomp.ListenerPath, copy, processState(pid));
        channel.Send(SyncMessage.SeccompDone);
    }
}
