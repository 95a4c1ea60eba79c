namespace Hull.Plugins.Criu.Native;

/// <summary>An fd this process opened (O_CLOEXEC) and closes when disposed.</summary>
internal sealed class Fd : IDisposable
{
    public int Value { get; private set; }

    Fd(int value) => Value = value;

    public static Fd OpenDirectory(string path) => Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY, "directory");

    public static Fd OpenReadOnly(string path) => Open(path, Libc.O_RDONLY, "file");

    static Fd Open(string path, int flags, string what)
    {
        var fd = Libc.open(path, flags | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new IOException($"cannot open {what} {path}: {Libc.Describe(Libc.LastErrno)}");
        return new Fd(fd);
    }

    public void Dispose()
    {
        Libc.CloseQuietly(Value);
        Value = -1;
    }
}
