using Hull.Cli.Output;
using Xunit;

namespace Hull.Tests.Unit.Cli;

/// <summary>The standard streams write at the descriptor's own offset, so writers sharing a file never overwrite each other.</summary>
public sealed class StandardStreamTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [SkippableFact]
    public void WritesFollowEachOtherThroughSharedDescriptors()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows uses System.Console's streams");
        using var handle = File.OpenHandle(_file, FileMode.Open, FileAccess.ReadWrite);
        var fd = (int)handle.DangerousGetHandle();
        // Two streams on one descriptor, as stdout and stderr are after 2>&1.
        var first = new StandardStream(fd, canWrite: true);
        var second = new StandardStream(fd, canWrite: true);
        first.Write("one\n"u8);
        second.Write("two\n"u8);
        first.Write("three\n"u8);
        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(_file));
    }

    [SkippableFact]
    public void ReadsToTheEnd()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows uses System.Console's streams");
        File.WriteAllText(_file, "{\"memory\":{}}");
        using var handle = File.OpenHandle(_file, FileMode.Open, FileAccess.Read);
        using var reader = new StreamReader(new StandardStream((int)handle.DangerousGetHandle(), canWrite: false));
        Assert.Equal("{\"memory\":{}}", reader.ReadToEnd());
    }
}
