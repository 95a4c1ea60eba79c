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
    [InlineData(true, new string[0], 0UL)]
    [InlineData(false, new string[0], 1UL << 21)]
    [InlineData(false, new[] { "CAP_KILL" }, 1UL << 21)]
    [InlineData(false, new[] { "CAP_SYS_ADMIN" }, 0UL)]
    public void CapSysAdminIsHeldOnlyWhenTheKernelWouldOtherwiseRefuseTheFilter(bool noNewPrivs, string[] effective, ulong held)
    {
        var (channel, _) = Channels();
        Assert.Equal(held, new ProcessLockdown(Filter, WithCaps(noNewPrivs, effective), channel, new FakeProcessOps()).HeldCapabilities);
    }

    [Fact]
    public void WithoutAFilterNothingIsHeld()
    {
        var (channel, _) = Channels();
        Assert.Equal(0UL, new ProcessLockdown(null, WithCaps(false), channel, new FakeProcessOps()).HeldCapabilities);
    }

    [Fact]
    public void RlimitsThenTheFilterThenTheHeldCapabilityDroppedOnce()
    {
        var (channel, _) = Channels();
        var ops = new FakeProcessOps();
        var kernel = new FakeSeccompKernel();
        var lockdown = new ProcessLockdown(Filter, WithCaps(false, "CAP_KILL"), channel, ops, kernel);
        lockdown.Apply();
        lockdown.Apply();
        Assert.Equal(["prlimit 0 7 64 128", "capset 20 0 0"], ops.Calls);
        Assert.Single(kernel.Installed);
    }

    [Fact]
    public void WithNoNewPrivsTheCapabilitiesAreLeftAlone()
    {
        var (channel, _) = Channels();
        var ops = new FakeProcessOps();
        var kernel = new FakeSeccompKernel();
        new ProcessLockdown(Filter, WithCaps(true, "CAP_KILL"), channel, ops, kernel).Apply();
        Assert.Equal(["prlimit 0 7 64 128"], ops.Calls);
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
