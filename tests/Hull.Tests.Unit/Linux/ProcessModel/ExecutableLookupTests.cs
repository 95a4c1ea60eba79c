using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Process;
using Xunit;

namespace Hull.Tests.Unit.Linux.ProcessModel;

public class ExecutableLookupTests
{
    const UnixFileMode Exe = UnixFileMode.UserRead | UnixFileMode.UserExecute;
    const UnixFileMode Plain = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    static ExecutableLookup Over(Dictionary<string, UnixFileMode> files) =>
        new(path => files.TryGetValue(path, out var m) ? m : null);

    static readonly string[] Env = ["PATH=/usr/bin:/bin", "HOME=/root"];

    [Fact]
    public void SearchesPathInOrder()
    {
        var lookup = Over(new() { ["/bin/sh"] = Exe, ["/usr/bin/sh"] = Exe });
        Assert.Equal("/usr/bin/sh", lookup.Find("sh", Env));
    }

    [Fact]
    public void SkipsNonExecutableCandidates()
    {
        var lookup = Over(new() { ["/usr/bin/sh"] = Plain, ["/bin/sh"] = Exe });
        Assert.Equal("/bin/sh", lookup.Find("sh", Env));
    }

    [Fact]
    public void NotFoundIsWordedAsRunc() =>
        Assert.Equal("exec: \"nope\": executable file not found in $PATH",
            Assert.Throws<HullException>(() => Over([]).Find("nope", Env)).Message);

    [Fact]
    public void WithoutPathNothingIsFound() =>
        Assert.Throws<HullException>(() => Over(new() { ["/bin/sh"] = Exe }).Find("sh", ["HOME=/"]));

    [Fact]
    public void APathWithASlashIsCheckedAsIs()
    {
        Assert.Equal("/opt/x", Over(new() { ["/opt/x"] = Exe }).Find("/opt/x", Env));
        Assert.Equal("exec: \"/opt/y\": stat /opt/y: no such file or directory",
            Assert.Throws<HullException>(() => Over([]).Find("/opt/y", Env)).Message);
        Assert.Equal("exec: \"/etc/passwd\": permission denied",
            Assert.Throws<HullException>(() => Over(new() { ["/etc/passwd"] = Plain }).Find("/etc/passwd", Env)).Message);
        Assert.Equal("exec: \"/tmp\": permission denied",
            Assert.Throws<HullException>(() => Over(new() { ["/tmp"] = Exe | ExecutableLookup.DirectoryMarker }).Find("/tmp", Env)).Message);
    }
}
