using Google.Protobuf;
using Hull.Abstractions.Errors;
using Hull.Plugins.Criu.Native;

namespace Hull.Plugins.Criu.Rpc;

/// <summary>What CRIU's notify points (--action-script names) call back into while a request runs.</summary>
internal interface ICriuNotifications
{
    /// <summary>
    /// One notification: "pre-dump", "post-dump", "setup-namespaces", "post-restore", "status-ready",
    /// "orphan-pts-master" (with the pty master in <paramref name="fds"/>), ... Throwing fails the
    /// request: CRIU is told the notification failed and aborts. The fds are closed afterwards.
    /// </summary>
    void Notify(string script, int pid, IReadOnlyList<int> fds);
}

/// <summary>CRIU answered a request with success = false.</summary>
internal sealed class CriuRequestFailedException(criu_req_type type, int errno, string? criuMessage)
    : HullException(Describe(type, errno, criuMessage))
{
    public criu_req_type Type { get; } = type;
    public int Errno { get; } = errno;

    /// <summary>The same failure with a better reason than CRIU's cr_errmsg (which is its first error, not its last).</summary>
    public string WithReason(string reason) => Describe(Type, Errno, reason);

    static string Describe(criu_req_type type, int errno, string? criuMessage)
    {
        var what = $"criu {CriuProtocol.Name(type)} failed";
        if (!string.IsNullOrWhiteSpace(criuMessage)) what += ": " + criuMessage.Trim();
        if (errno != 0) what += $" (errno {errno}: {Libc.Describe(errno)})";
        return what;
    }
}

/// <summary>
/// The swrk conversation: send one criu_req, answer every NOTIFY with notify_success, and return
/// the final criu_resp of the request's type. Transport-agnostic, so it is unit-tested with a fake.
/// </summary>
internal static class CriuProtocol
{
    public static criu_resp Call(ICriuChannel channel, criu_req request, ICriuNotifications? notifications)
    {
        channel.Send(request.ToByteArray());
        while (true)
        {
            var packet = channel.Receive()
                ?? throw new IOException($"criu closed the connection before answering the {Name(request.Type)} request");
            criu_resp response;
            try
            {
                response = criu_resp.Parser.ParseFrom(packet.Data);
            }
            catch (InvalidProtocolBufferException e)
            {
                CloseAll(packet.Fds);
                throw new IOException("criu sent a malformed response: " + e.Message, e);
            }

            if (response.Type == criu_req_type.Notify && response.Success)
            {
                try
                {
                    notifications?.Notify(response.Notify?.Script ?? "", response.Notify?.Pid ?? 0, packet.Fds);
                }
                catch
                {
                    // Tell CRIU, so it rolls back (e.g. resumes the tasks) instead of waiting on us.
                    TrySend(channel, new criu_req { Type = criu_req_type.Notify, NotifySuccess = false });
                    throw;
                }
                finally
                {
                    CloseAll(packet.Fds);
                }
                channel.Send(new criu_req { Type = criu_req_type.Notify, NotifySuccess = true }.ToByteArray());
                continue;
            }

            CloseAll(packet.Fds);
            if (!response.Success)
                throw new CriuRequestFailedException(response.Type, response.CrErrno, response.HasCrErrmsg ? response.CrErrmsg : null);
            if (response.Type != request.Type)
                throw new IOException($"criu answered a {Name(request.Type)} request with {Name(response.Type)}");
            return response;
        }
    }

    /// <summary>"dump", "pre-dump", "restore", ... as CRIU's own command names.</summary>
    public static string Name(criu_req_type type) => type switch
    {
        criu_req_type.Dump => "dump",
        criu_req_type.PreDump => "pre-dump",
        criu_req_type.Restore => "restore",
        criu_req_type.FeatureCheck => "feature check",
        criu_req_type.Version => "version",
        criu_req_type.Check => "check",
        criu_req_type.Notify => "notify",
        _ => type.ToString(),
    };

    static void TrySend(ICriuChannel channel, criu_req request)
    {
        try { channel.Send(request.ToByteArray()); }
        catch (IOException) { /* CRIU is gone already; the original error says more */ }
    }

    static void CloseAll(IReadOnlyList<int> fds)
    {
        foreach (var fd in fds) Libc.CloseQuietly(fd);
    }
}
