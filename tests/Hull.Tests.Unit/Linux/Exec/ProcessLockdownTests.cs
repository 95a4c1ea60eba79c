using System.Net.Sockets;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Process;
using Hull.Plugins.Linux.Seccomp;
using Hull.Tests.Unit.Linux.Seccomp;
using Hull.Tests.Unit.Linux.Setup;
using Xunit;

namespace Hull.Tests.Unit.Linux.Exec;

public class ProcessLockdownTests
{
    static readonly SeccompFilter Filter = new() { Program = new byte[8], Flags = 0 };
    static readonly SeccompFilter Notifying = Filter with { Flags = 8 };

    static Process WithCaps(bool noNewPrivs, params string[] effective) => new()
    {
        NoNewPrivileges = noNewPrivs,
        Capabilities = new LinuxCapabilities { Effective = effective },
        Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 64, Hard = 128 }],
    };

    [Theory]
    [InlineData(true, false, new string[0])]
    [InlineData(false, true, new string[0])]
    [InlineData(false, true, new[] { "CAP_KILL" })]
    [InlineData(false, false, new[] { "CAP_SYS_ADMIN" })]
    public void TheFilterGoesInBeforeTheCapabilityDropOnlyWhenTheKernelWouldOtherwiseRefuseIt(bool noNewPrivs, bool early, string[] effective) =>
        Assert.Equal(early, ProcessLockdown.InstallsBeforeCapabilityDrop(hasFilter: true, WithCaps(noNewPrivs, effective), lastCap: 40));

    [Fact]
    public void WithoutAFilterNothingGoesInEarly() =>
        Assert.False(ProcessLockdown.InstallsBeforeCapabilityDrop(hasFilter: false, WithCaps(false), lastCap: 40));

    [Fact]
    public void EarlyInstallAppliesRlimitsThenTheFilterOnce()
    {
        var (channel, _) = Channels();
        var ops = new FakeProcessOps();
        var kernel = new FakeSeccompKernel();
        var lockdown = new ProcessLockdown(Filter, WithCaps(false), channel, ops, kernel);
        Assert.True(lockdown.InstallsEarly);
        lockdown.BeforeCapabilityDrop();
        lockdown.Apply();
        Assert.Equal(["prlimit 0 7 64 128"], ops.Calls);
        Assert.Single(kernel.Installed);
    }

    [Fact]
    public void LateInstallWaitsForApply()
    {
        var (channel, _) = Channels();
        var kernel = new FakeSeccompKernel();
        var lockdown = new ProcessLockdown(Filter, WithCaps(true), channel, new FakeProcessOps(), kernel);
        lockdown.BeforeCapabilityDrop();
        Assert.Empty(kernel.Installed);
        lockdown.Apply();
        Assert.Single(kernel.Installed);
    }

    [Fact]
    public async Task TheNotifyFdNumberGoesToHullWhichAnswersBeforeTheProcessGoesOn()
    {
        var (channel, hull) = Channels();
        var listener = File.OpenHandle("/dev/null");
        var kernel = new FakeSeccompKernel { Result = (int)listener.DangerousGetHandle() };
        var lockdown = new ProcessLockdown(Notifying, WithCaps(true), channel, new FakeProcessOps(), kernel);
        var process = Task.Run(lockdown.Apply);
        var frame = hull.Receive()!.Value;
        Assert.Equal(SyncMessage.SeccompFd, frame.Type);
        Assert.Equal(kernel.Result, BitConverter.ToInt32(frame.Payload));
        Assert.False(process.IsCompleted);
        hull.Send(SyncMessage.SeccompDone);
        await process;
        // The process closed its copy once hull had it.
        listener.SetHandleAsInvalid();
    }

    static (SyncChannel Process, SyncChannel Hull) Channels()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hull-lockdown-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var a = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        a.Connect(new UnixDomainSocketEndPoint(path));
        var b = listener.Accept();
        listener.Dispose();
        File.Delete(path);
        // The sockets live as long as the test process: the channels own only their numbers.
        Keep.Add(a);
        Keep.Add(b);
        return (new SyncChannel((int)a.Handle), new SyncChannel((int)b.Handle));
    }

    static readonly List<Socket> Keep = [];
}
