using Hull.Abstractions.Errors;
using Hull.Plugins.Criu.Native;

namespace Hull.Plugins.Criu.Rpc;

/// <summary>Runs one request in a fresh `criu swrk`. The seam between the checkpointer and CRIU.</summary>
internal interface ICriuRunner
{
    /// <param name="request">Sent once <paramref name="started"/> has run, so it can still be completed (cg_root).</param>
    /// <param name="passFds">Fds CRIU gets as 4, 5, ... (3 is the RPC socket), e.g. for inherit_fd.</param>
    /// <param name="started">Called with CRIU's pid before the request is sent.</param>
    criu_resp Run(criu_req request, IReadOnlyList<int> passFds, ICriuNotifications? notifications, Action<int>? started = null);
}

/// <summary>`criu swrk 3` over a SOCK_SEQPACKET socketpair, started with posix_spawn.</summary>
internal sealed class CriuRunner(string criuPath) : ICriuRunner
{
    /// <summary>The fd number CRIU gets for the first of the pass fds.</summary>
    public const int FirstPassFd = 4;

    public string CriuPath { get; } = criuPath;

    public criu_resp Run(criu_req request, IReadOnlyList<int> passFds, ICriuNotifications? notifications, Action<int>? started = null)
    {
        var (socket, theirs) = SeqPacketSocket.CreatePair();
        int pid;
        try
        {
            pid = Spawner.Spawn(CriuPath, ["criu", "swrk", "3"], [theirs, .. passFds]);
        }
        catch (IOException e)
        {
            socket.Dispose();
            throw new HullException($"cannot run {CriuPath}: {e.Message}", e);
        }
        finally
        {
            // Only CRIU holds its end now: if CRIU dies, our reads see EOF instead of hanging.
            Libc.CloseQuietly(theirs);
        }

        criu_resp response;
        try
        {
            started?.Invoke(pid);
            response = CriuProtocol.Call(socket, request, notifications);
        }
        catch (IOException e)
        {
            socket.Dispose();
            var status = Spawner.Wait(pid);
            throw new HullException($"{e.Message} (criu {status})", e);
        }
        catch
        {
            socket.Dispose();
            Spawner.Wait(pid);
            throw;
        }

        // A pre-dump CRIU waits for the next request of an iterative migration; closing the
        // socket ends it, and its exit status then means nothing (as runc treats it).
        socket.Dispose();
        var exit = Spawner.Wait(pid);
        if (!exit.Success && request.Type != criu_req_type.PreDump)
            throw new HullException($"criu {CriuProtocol.Name(request.Type)} answered success but then ended with {exit}");
        return response;
    }
}
