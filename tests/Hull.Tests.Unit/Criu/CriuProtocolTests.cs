using Hull.Plugins.Criu.Native;
using Hull.Plugins.Criu.Rpc;
using Xunit;

namespace Hull.Tests.Unit.Criu;

public class CriuProtocolTests
{
    sealed class Recorder(Action<string, int, IReadOnlyList<int>>? onNotify = null) : ICriuNotifications
    {
        public List<string> Seen { get; } = [];
        public void Notify(string script, int pid, IReadOnlyList<int> fds)
        {
            Seen.Add($"{script} {pid} fds={fds.Count}");
            onNotify?.Invoke(script, pid, fds);
        }
    }

    static criu_resp Notify(string script, int pid = 0) =>
        new() { Type = criu_req_type.Notify, Success = true, Notify = new criu_notify { Script = script, Pid = pid } };

    [Fact]
    public void SendsTheRequestAndReturnsTheAnswerOfItsType()
    {
        var channel = new FakeChannel(FakeChannel.Of(FakeRunnerAnswers.Dump()));
        var response = CriuProtocol.Call(channel, new criu_req { Type = criu_req_type.Dump, Opts = new criu_opts { Pid = 7 } }, null);

        Assert.Equal(criu_req_type.Dump, response.Type);
        var sent = Assert.Single(channel.Sent);
        Assert.Equal(7, sent.Opts.Pid);
    }

    [Fact]
    public void EveryNotificationIsHandledThenAnsweredWithSuccess()
    {
        var channel = new FakeChannel(
            FakeChannel.Of(Notify("setup-namespaces", 100)),
            FakeChannel.Of(Notify("post-restore", 100)),
            FakeChannel.Of(new criu_resp { Type = criu_req_type.Restore, Success = true, Restore = new criu_restore_resp { Pid = 100 } }));
        var handler = new Recorder();

        var response = CriuProtocol.Call(channel, new criu_req { Type = criu_req_type.Restore }, handler);

        Assert.Equal(100, response.Restore.Pid);
        Assert.Equal(["setup-namespaces 100 fds=0", "post-restore 100 fds=0"], handler.Seen);
        Assert.Equal(3, channel.Sent.Count);
        Assert.All(channel.Sent.Skip(1), r => Assert.True(r.Type == criu_req_type.Notify && r.NotifySuccess));
    }

    [Fact]
    public void FdsPassedWithANotificationAreClosedAfterTheHandler()
    {
        var pty = new HighFd();
        var openDuringHandler = false;
        var channel = new FakeChannel(
            FakeChannel.Of(Notify("orphan-pts-master"), pty.Value),
            FakeChannel.Of(new criu_resp { Type = criu_req_type.Restore, Success = true, Restore = new criu_restore_resp { Pid = 1 } }));

        CriuProtocol.Call(channel, new criu_req { Type = criu_req_type.Restore },
            new Recorder((_, _, fds) => openDuringHandler = Libc.fcntl(fds[0], Libc.F_GETFL, 0) >= 0));

        Assert.True(openDuringHandler);
        Assert.False(pty.IsOpen);
    }

    [Fact]
    public void AFailingHandlerTellsCriuAndRethrows()
    {
        var channel = new FakeChannel(FakeChannel.Of(Notify("setup-namespaces", 5)));
        var handler = new Recorder((_, _, _) => throw new InvalidOperationException("hook failed"));

        var e = Assert.Throws<InvalidOperationException>(() => CriuProtocol.Call(channel, new criu_req { Type = criu_req_type.Restore }, handler));

        Assert.Equal("hook failed", e.Message);
        var answer = channel.Sent[^1];
        Assert.Equal(criu_req_type.Notify, answer.Type);
        Assert.False(answer.NotifySuccess);
    }

    [Fact]
    public void AFailureAnswerBecomesAnErrorWithCriusMessageAndErrno()
    {
        var channel = new FakeChannel(FakeChannel.Of(new criu_resp
        {
            Type = criu_req_type.Dump, Success = false, CrErrno = 2, CrErrmsg = "Can't dump task 7",
        }));

        var e = Assert.Throws<CriuRequestFailedException>(() => CriuProtocol.Call(channel, new criu_req { Type = criu_req_type.Dump }, null));

        Assert.Equal("criu dump failed: Can't dump task 7 (errno 2: No such file or directory)", e.Message);
        Assert.Equal(2, e.Errno);
    }

    [Fact]
    public void AnAnswerOfAnotherTypeIsAProtocolError()
    {
        var channel = new FakeChannel(FakeChannel.Of(new criu_resp { Type = criu_req_type.Restore, Success = true }));
        var e = Assert.Throws<IOException>(() => CriuProtocol.Call(channel, new criu_req { Type = criu_req_type.Dump }, null));
        Assert.Equal("criu answered a dump request with restore", e.Message);
    }

    [Fact]
    public void CriuClosingTheSocketWithoutAnAnswerIsAnError()
    {
        var e = Assert.Throws<IOException>(() => CriuProtocol.Call(new FakeChannel(), new criu_req { Type = criu_req_type.Version }, null));
        Assert.Equal("criu closed the connection before answering the version request", e.Message);
    }

    [Fact]
    public void AMalformedAnswerIsAnErrorAndItsFdsAreClosed()
    {
        var fd = new HighFd();
        var channel = new FakeChannel(new Packet([0xff, 0xff, 0xff], [fd.Value]));
        var e = Assert.Throws<IOException>(() => CriuProtocol.Call(channel, new criu_req { Type = criu_req_type.Version }, null));
        Assert.StartsWith("criu sent a malformed response", e.Message);
        Assert.False(fd.IsOpen);
    }
}

internal static class FakeRunnerAnswers
{
    public static criu_resp Dump() => new() { Type = criu_req_type.Dump, Success = true, Dump = new criu_dump_resp() };
}
