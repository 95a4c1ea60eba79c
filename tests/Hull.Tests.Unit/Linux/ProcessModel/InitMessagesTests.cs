using Hull.Abstractions.Oci;
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

    [Fact]
    public void ExecProcessIsWhatTheSerializerWrites()
    {
        var full = new Process
        {
            Terminal = true,
            ConsoleSize = new Box { Height = 24, Width = 80 },
            User = new User { Uid = 1000, Gid = 1001, Umask = 18, AdditionalGids = [10, 11], Username = "u\"ü" },
            Args = ["sh", "-c", "echo \"$A\""],
            CommandLine = "sh -c x",
            Env = ["A=1", "PATH=/bin"],
            Cwd = "/tmp",
            Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Inheritable = [], Permitted = ["CAP_KILL"], Ambient = ["CAP_KILL"] },
            Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = ulong.MaxValue, Soft = 1024 }],
            NoNewPrivileges = true,
            ApparmorProfile = "profile",
            OomScoreAdj = -17,
            Scheduler = new Scheduler { Policy = "SCHED_DEADLINE", Nice = -2, Priority = 3, Flags = ["SCHED_FLAG_RESET_ON_FORK"], Runtime = 4, Deadline = 5, Period = 6 },
            SelinuxLabel = "system_u:system_r:container_t:s0",
            IOPriority = new LinuxIOPriority { Class = "IOPRIO_CLASS_RT", Priority = 1 },
            ExecCpuAffinity = new CpuAffinity { Initial = "0", Final = "0-1" },
        };
        foreach (var process in new[] { full, new Process { Args = ["true"] }, full with { Scheduler = new Scheduler { Policy = "SCHED_OTHER" } } })
        {
            // As the process reads it: the serializer's JSON before, the hand-written one now.
            var expected = OciJson.ParseConfig(OciJson.SerializeSpec(new Spec { OciVersion = "1.2.0", Process = process }));
            var got = OciJson.ParseConfig(System.Text.Encoding.UTF8.GetString(InitMessages.EncodeExecProcess("1.2.0", process)));
            Assert.Equal(OciJson.SerializeSpec(expected), OciJson.SerializeSpec(got));
        }
    }
}
