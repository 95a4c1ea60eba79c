using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class ProcessWaiterTests
{
    [Theory]
    [InlineData(0x0000, 0)]      // exit 0
    [InlineData(0x2a00, 42)]     // exit 42
    [InlineData(0x0009, 137)]    // killed by SIGKILL
    [InlineData(0x0089, 137)]    // killed by SIGKILL, core dumped
    [InlineData(0x000f, 143)]    // killed by SIGTERM
    public void ExitCodeIsTheStatusOr128PlusSignal(int status, int expected) =>
        Assert.Equal(expected, ProcessWaiter.ExitCode(status));
}
