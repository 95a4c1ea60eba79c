using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The fds hull passes to the container's process at 3..: systemd socket-activation fds first
/// (LISTEN_FDS, when LISTEN_PID is hull's pid), then --preserve-fds more, as runc.
/// </summary>
internal sealed record PassedFds(int ListenFds, int PreserveFds)
{
    public int Count => ListenFds + PreserveFds;

    /// <summary>LISTEN_FDS/LISTEN_PID for the container: its process is PID 1 there.</summary>
    public IReadOnlyList<string> ExtraEnv => ListenFds > 0 ? [$"LISTEN_FDS={ListenFds}", "LISTEN_PID=1"] : [];

    public static PassedFds From(int preserveFds, Func<string, string?> getenv, int hullPid, Func<int, bool> fdOpen)
    {
        if (preserveFds < 0) throw new UsageException("--preserve-fds must not be negative");
        var listen = 0;
        if (getenv("LISTEN_FDS") is { Length: > 0 } n && int.TryParse(n, out var count) && count > 0
            && int.TryParse(getenv("LISTEN_PID"), out var pid) && pid == hullPid)
            listen = count;
        for (var i = 0; i < preserveFds; i++)
            if (!fdOpen(3 + listen + i))
                throw new HullException($"unable to stat preserved-fd {i} (of {preserveFds}): fd {3 + listen + i} is not open");
        return new PassedFds(listen, preserveFds);
    }
}
