using Hull.Plugins.Linux.Process;
using Hull.Plugins.Linux.Seccomp;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class InitMessagesTests
{
    static readonly SeccompFilter Filter = new() { Program = [1, 2, 3, 4, 5, 6, 7, 8], Flags = 8 };

    [Fact]
    public void InitOptionsArriveAsSent()
    {
        var sent = new InitOptions
        {
            Id = "c\"1",
            Bundle = "/b ü",
            Rootfs = "/b/rootfs",
            PassedFds = 2,
            ExtraEnv = ["LISTEN_FDS=2", "LISTEN_PID=1"],
            NoPivot = true,
            NoNewKeyring = true,
            RootlessEuid = true,
            Seccomp = Filter,
        };
        var got = InitMessages.DecodeInit(InitMessages.Encode(sent));
        Assert.Equal(sent with { ExtraEnv = got.ExtraEnv, Seccomp = got.Seccomp }, got);
        Assert.Equal(sent.ExtraEnv, got.ExtraEnv);
        Assert.Equal(Filter.Program, got.Seccomp!.Program);
        Assert.Equal(Filter.Flags, got.Seccomp.Flags);

        var plain = InitMessages.DecodeInit(InitMessages.Encode(new InitOptions { Id = "c", Bundle = "/b", Rootfs = "/r" }));
        Assert.Null(plain.Seccomp);
        Assert.Empty(plain.ExtraEnv);
    }

    [Fact]
    public void ExecOptionsArriveAsSent()
    {
        var sent = new ExecOptions { Id = "c", PassedFds = 1, NoNewKeyring = true, RootlessEuid = false, Seccomp = Filter };
        var got = InitMessages.DecodeExec(InitMessages.Encode(sent));
        Assert.Equal(sent with { Seccomp = got.Seccomp }, got);
        Assert.Equal(Filter.Program, got.Seccomp!.Program);
        Assert.Null(InitMessages.DecodeExec(InitMessages.Encode(sent with { Seccomp = null })).Seccomp);
    }
}
