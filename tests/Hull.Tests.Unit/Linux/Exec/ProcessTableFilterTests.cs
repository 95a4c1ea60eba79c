using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.Exec;

public class ProcessTableFilterTests
{
    const string PsEf = """
        UID          PID    PPID  C STIME TTY          TIME CMD
        root           1       0  0 08:00 ?        00:00:01 /sbin/init
        root         420       1  0 08:01 ?        00:00:00 sleep 1000
        root         421     420  0 08:01 ?        00:00:00 sh -c x

        """;

    [Fact]
    public void KeepsTheHeaderAndTheContainersLines() =>
        Assert.Equal("UID          PID    PPID  C STIME TTY          TIME CMD\nroot         420       1  0 08:01 ?        00:00:00 sleep 1000\n",
            ProcessTableFilter.Filter(PsEf.Replace("\r\n", "\n"), new HashSet<int> { 420 }));

    [Fact]
    public void FindsThePidColumnWhereverPsPutsIt() =>
        Assert.Equal("  PPID   PID\n   420   421\n", ProcessTableFilter.Filter("  PPID   PID\n     0     1\n   420   421\n", new HashSet<int> { 421, 420 }));

    [Fact]
    public void WithoutAPidColumnItSaysSo() =>
        Assert.Contains("couldn't find PID field in ps output",
            Assert.Throws<HullException>(() => ProcessTableFilter.Filter("CMD\nsleep\n", new HashSet<int>())).Message);

    [Fact]
    public void AnUnreadablePidIsAnError() =>
        Assert.Contains("unable to parse pid",
            Assert.Throws<HullException>(() => ProcessTableFilter.Filter("PID CMD\nabc sleep\n", new HashSet<int>())).Message);
}
