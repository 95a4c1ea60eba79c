using System.CommandLine;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

/// <summary>The CRIU flags checkpoint and restore share, and how they fill <see cref="CriuOptions"/>.</summary>
internal sealed class CriuFlags(string imagePathDescription)
{
    /// <summary>Where images go when --image-path is not given, as runc: ./checkpoint.</summary>
    public const string DefaultImageDirectory = "checkpoint";

    public Option<string?> ImagePath { get; } = Flags.Text("--image-path", imagePathDescription);
    public Option<string?> WorkPath { get; } = Flags.Text("--work-path", "path for saving work files and logs");
    public Option<bool> TcpEstablished { get; } = Flags.Bool("--tcp-established", "allow open tcp connections");
    public Option<bool> ExtUnixSk { get; } = Flags.Bool("--ext-unix-sk", "allow external unix sockets");
    public Option<bool> ShellJob { get; } = Flags.Bool("--shell-job", "allow shell jobs");
    public Option<bool> LazyPages { get; } = Flags.Bool("--lazy-pages", "use userfaultfd to lazily restore memory pages");
    public Option<bool> FileLocks { get; } = Flags.Bool("--file-locks", "handle file locks, for safety");
    public Option<string?> ManageCgroupsMode { get; } = Flags.Text("--manage-cgroups-mode", "cgroups mode: 'soft' (default), 'full' and 'strict'");
    public Option<string[]> EmptyNs { get; } = Flags.List("--empty-ns", "create a namespace, but don't restore its properties");
    public Option<bool> AutoDedup { get; } = Flags.Bool("--auto-dedup", "enable auto deduplication of memory images");

    public T Apply<T>(T request, ParseResult result, CliSession session) where T : CriuOptions =>
        (T)(request with
        {
            ImagePath = session.FullPath(result.GetValue(ImagePath) is { Length: > 0 } image ? image : DefaultImageDirectory),
            WorkPath = LaunchFlags.OptionalPath(result.GetValue(WorkPath), session),
            TcpEstablished = result.GetValue(TcpEstablished),
            ExternalUnixSockets = result.GetValue(ExtUnixSk),
            ShellJob = result.GetValue(ShellJob),
            FileLocks = result.GetValue(FileLocks),
            LazyPages = result.GetValue(LazyPages),
            ManageCgroupsMode = ParseCgroupsMode(result.GetValue(ManageCgroupsMode)),
            EmptyNamespaces = result.GetValue(EmptyNs) ?? [],
            AutoDedup = result.GetValue(AutoDedup),
        });

    private static CgroupsMode? ParseCgroupsMode(string? mode) => mode switch
    {
        null or "" => null,
        "soft" => CgroupsMode.Soft,
        "full" => CgroupsMode.Full,
        "strict" => CgroupsMode.Strict,
        "ignore" => CgroupsMode.Ignore,
        _ => throw new UsageException($"invalid --manage-cgroups-mode \"{mode}\": use soft, full, strict or ignore"),
    };
}
