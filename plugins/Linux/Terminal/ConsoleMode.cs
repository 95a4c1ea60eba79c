using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Terminal;

/// <summary>Where the pty master of a container's process goes.</summary>
internal enum ConsoleMode
{
    /// <summary>process.terminal is false: the process gets hull's stdio.</summary>
    None,
    /// <summary>To the AF_UNIX socket given with --console-socket (conmon, containerd's shim).</summary>
    Socket,
    /// <summary>hull keeps it and relays it to its own terminal until the process exits (run -t, exec -t).</summary>
    Foreground,
}

internal static class ConsoleModes
{
    /// <summary>
    /// runc's checkTerminal: a detached process (create, run -d, exec -d) with a terminal needs a
    /// console socket, and a console socket is only for a detached process with a terminal.
    /// </summary>
    public static ConsoleMode Decide(bool terminal, string? consoleSocket, bool detach)
    {
        if (detach && terminal && consoleSocket is null)
            throw new HullException("cannot allocate tty if hull will detach without setting console socket: pass --console-socket, or set process.terminal to false");
        if ((!detach || !terminal) && consoleSocket is not null)
            throw new HullException(terminal
                ? "cannot use console socket if hull will not detach or allocate tty: --console-socket needs --detach (or create)"
                : "cannot use console socket if hull will not detach or allocate tty: --console-socket needs a terminal (process.terminal true, or exec --tty)");
        return !terminal ? ConsoleMode.None : consoleSocket is null ? ConsoleMode.Foreground : ConsoleMode.Socket;
    }
}
