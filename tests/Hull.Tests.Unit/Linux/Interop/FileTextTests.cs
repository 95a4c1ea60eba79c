using Hull.Plugins.Linux.Interop;
using Xunit;

namespace Hull.Tests.Unit.Linux.Interop;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FileTextTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("hull-filetext-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void AFileLongerThanOneReadIsReadWholeWithItsMultiByteCharacters()
    {
        // 'é' is two bytes: with an odd prefix one of them straddles the first 4096-byte read.
        var text = "x" + string.Concat(Enumerable.Repeat("é-line\n", 2000));
        var path = Path.Combine(dir, "long");
        File.WriteAllText(path, text);
        Assert.Equal(text, Libc.Fs.ReadText(path));
    }

    [Fact]
    public void AProcfsFileWhoseSizeIsZeroIsReadToItsEnd()
    {
        var status = Libc.Fs.ReadText("/proc/self/status");
        Assert.StartsWith("Name:", status);
        Assert.Contains("\nPid:", status);
    }

    [Fact]
    public void AMissingFileIsNullWithItsErrnoOrAnErrorNamingIt()
    {
        var path = Path.Combine(dir, "missing");
        Assert.Null(Libc.Fs.TryReadText(path, out var errno));
        Assert.Equal(SyscallException.ENOENT, errno);
        var e = Assert.Throws<SyscallException>(() => Libc.Fs.ReadText(path));
        Assert.Equal($"reading {path}: no such file or directory", e.Message);
    }

    [Fact]
    public void ADirectoryCannotBeReadAsText()
    {
        Assert.Null(Libc.Fs.TryReadText(dir, out var errno));
        Assert.Equal(SyscallException.EISDIR, errno);
    }

    [Fact]
    public void StatAnswersAMissingNameWithItsErrnoInsteadOfThrowing()
    {
        Assert.Equal(SyscallException.ENOENT, Libc.Fs.TryStat(Libc.Fs.AT_FDCWD, Path.Combine(dir, "missing"), out _));
        Assert.Equal(0, Libc.Fs.TryStat(Libc.Fs.AT_FDCWD, dir, out var st));
        Assert.Equal(Libc.Fs.S_IFDIR, st.Mode & Libc.Fs.S_IFMT);
    }
}
