using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Terminal;
using Xunit;

namespace Hull.Tests.Unit.Linux.Terminal;

public class ConsoleModeTests
{
    [Theory]
    [InlineData(false, null, false, "None")]
    [InlineData(false, null, true, "None")]
    [InlineData(true, null, false, "Foreground")]
    [InlineData(true, "/run/c.sock", true, "Socket")]
    public void WhereTheMasterGoes(bool terminal, string? socket, bool detach, string expected) =>
        Assert.Equal(expected, ConsoleModes.Decide(terminal, socket, detach).ToString());

    [Fact]
    public void DetachedWithATerminalNeedsAConsoleSocket() =>
        Assert.StartsWith("cannot allocate tty if hull will detach without setting console socket",
            Assert.Throws<HullException>(() => ConsoleModes.Decide(terminal: true, null, detach: true)).Message);

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void AConsoleSocketIsOnlyForADetachedTerminal(bool terminal, bool detach) =>
        Assert.StartsWith("cannot use console socket if hull will not detach or allocate tty",
            Assert.Throws<HullException>(() => ConsoleModes.Decide(terminal, "/run/c.sock", detach)).Message);
}
