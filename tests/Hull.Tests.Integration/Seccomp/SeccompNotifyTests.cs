using System.Text.Json;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Seccomp;
using Xunit;

namespace Hull.Tests.Integration.Seccomp;

/// <summary>
/// SCMP_ACT_NOTIFY end to end: the probe (as hull's init) installs the filter and hands the listener
/// fd over; the test (as hull's parent) takes it with SeccompListener.TakeFromProcess and sends it with
/// SeccompListener.Send to an agent written here, which answers the container's notified syscall.
/// </summary>
public class SeccompNotifyTests
{
    private const int Exdev = 18;
    private const int Mkdir = 83, Mkdirat = 258;

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheAgentGetsTheStateAndTheFdAndDecidesTheSyscall(bool letItRun)
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        using var agent = new NotifyAgent(box.Dir);
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            ListenerPath = agent.SocketPath,
            ListenerMetadata = "MKNOD=/dev/null",
            Flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
            Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_NOTIFY" }],
        };
        var target = box.PathOf("d");
        using var probe = box.StartHandOver(config, [SeccompSandbox.Busybox, "mkdir", target]);
        try
        {
            var remoteFd = int.Parse(probe.StandardOutput.ReadLine() ?? throw new InvalidOperationException(probe.StandardError.ReadToEnd()));

            // hull's side, in runc's order: copy the fd, release the init, send the copy to the agent.
            using (var listenerFd = SeccompListener.TakeFromProcess(probe.Id, remoteFd))
            {
                probe.StandardInput.Write('x');
                probe.StandardInput.Flush();
                SeccompListener.Send(agent.SocketPath, listenerFd, new ContainerProcessState
                {
                    Pid = probe.Id,
                    Metadata = config.ListenerMetadata,
                    State = new RuntimeState { Id = "seccomp-test", Status = ContainerStatus.Running, Pid = probe.Id, Bundle = box.Dir },
                });
            }

            var (json, fd) = agent.Receive();
            using (fd)
            {
                var state = JsonDocument.Parse(json).RootElement;
                Assert.Equal(["seccompFd"], state.GetProperty("fds").EnumerateArray().Select(e => e.GetString()));
                Assert.Equal(probe.Id, state.GetProperty("pid").GetInt32());
                Assert.Equal("MKNOD=/dev/null", state.GetProperty("metadata").GetString());
                Assert.Equal("seccomp-test", state.GetProperty("state").GetProperty("id").GetString());
                Assert.Equal("running", state.GetProperty("state").GetProperty("status").GetString());

                var call = NotifyAgent.Next(fd);
                Assert.Contains(call.Nr, new[] { Mkdir, Mkdirat });
                if (letItRun) NotifyAgent.Respond(fd, call.Id, 0, NotifyAgent.FlagContinue);
                else NotifyAgent.Respond(fd, call.Id, Exdev);
            }

            Assert.True(probe.WaitForExit(20_000), "the container process never finished");
            var stderr = probe.StandardError.ReadToEnd();
            if (letItRun)
            {
                Assert.Equal(0, probe.ExitCode);
                Assert.True(Directory.Exists(target));
            }
            else
            {
                Assert.Equal(1, probe.ExitCode);
                Assert.Contains("Invalid cross-device link", stderr);
                Assert.False(Directory.Exists(target));
            }
        }
        finally
        {
            if (!probe.HasExited) probe.Kill();
        }
    }

    [SkippableFact]
    public void AnAgentThatIsNotListeningIsAnError()
    {
        SeccompSandbox.RequireHost();
        using var box = new SeccompSandbox();
        using var anyFd = File.OpenHandle(box.PathOf("fd"), FileMode.Create, FileAccess.ReadWrite);
        var e = Assert.Throws<Hull.Abstractions.Errors.HullException>(() => SeccompListener.Send(box.PathOf("nobody.sock"), anyFd,
            new ContainerProcessState { Pid = 1, State = new RuntimeState { Id = "x", Status = "running", Bundle = "/" } }));
        Assert.Contains("cannot connect to the seccomp agent", e.Message);
        Assert.Contains("no such file or directory", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
