using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class PassedFdsTests
{
    static Func<string, string?> Env(string? fds, string? pid) => name => name switch
    {
        "LISTEN_FDS" => fds,
        "LISTEN_PID" => pid,
        _ => null,
    };

    [Fact]
    public void SocketActivationFdsCountWhenMeantForHull()
    {
        var passed = PassedFds.From(1, Env("2", "42"), hullPid: 42, fdOpen: _ => true);
        Assert.Equal((2, 1, 3), (passed.ListenFds, passed.PreserveFds, passed.Count));
        Assert.Equal(["LISTEN_FDS=2", "LISTEN_PID=1"], passed.ExtraEnv);
    }

    [Fact]
    public void SocketActivationFdsForAnotherProcessAreIgnored()
    {
        var passed = PassedFds.From(0, Env("2", "7"), hullPid: 42, fdOpen: _ => true);
        Assert.Equal(0, passed.Count);
        Assert.Empty(passed.ExtraEnv);
    }

    [Fact]
    public void PreservedFdsMustBeOpen()
    {
        var e = Assert.Throws<HullException>(() => PassedFds.From(2, Env(null, null), 1, fd => fd == 3));
        Assert.Contains("preserved-fd 1 (of 2)", e.Message);
    }

    [Fact]
    public void PreservedFdsFollowTheListenFds()
    {
        var checkedFds = new List<int>();
        PassedFds.From(2, Env("1", "5"), 5, fd => { checkedFds.Add(fd); return true; });
        Assert.Equal([4, 5], checkedFds);
    }
}
