using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Host;

/// <summary>Publishes the sample third-party plugin once, as its author would, into a temp folder.</summary>
public sealed class RecorderPluginFixture : IDisposable
{
    public string PluginsDir { get; } = Directory.CreateTempSubdirectory("hull-plugins-").FullName;
    public string PluginDir => Path.Combine(PluginsDir, "Recorder");
    public CommandResult Publish { get; }

    public RecorderPluginFixture()
    {
        var dotnet = Tools.Which("dotnet") ?? "/usr/bin/dotnet";
        // The SDK leaves empty directories in its TMPDIR: it gets one of its own, removed at once.
        var sdkTemp = Directory.CreateTempSubdirectory("hull-sdk-").FullName;
        try
        {
            Publish = Tools.Run(dotnet, ["publish", Path.Combine(Tools.Repo, "tests/SamplePlugins/Recorder"), "-c", "Release", "-o", PluginDir, "-nologo", "-v", "quiet"],
                env: new Dictionary<string, string?> { ["TMPDIR"] = sdkTemp }, timeoutMs: 300_000);
        }
        finally
        {
            Directory.Delete(sdkTemp, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(PluginsDir, recursive: true);
}

/// <summary>The plugin host (out/hull-host/hull) finds first-party and third-party plugins at run time.</summary>
public sealed class PluginHostTests(RecorderPluginFixture plugin) : IClassFixture<RecorderPluginFixture>, IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("hull-recorder-").FullName;

    string RecordFile => Path.Combine(work, "record.log");

    CommandResult Host(string? backend, params string[] args) =>
        Tools.Run(Tools.PluginHostPath, args, env: new Dictionary<string, string?>
        {
            ["HULL_PLUGIN_PATH"] = plugin.PluginsDir,
            ["HULL_BACKEND"] = backend,
            ["HULL_RECORDER_FILE"] = RecordFile,
        });

    void RequireHost()
    {
        Skip.IfNot(File.Exists(Tools.PluginHostPath), $"{Tools.PluginHostPath} is not built: run build/build.sh");
        Assert.True(plugin.Publish.ExitCode == 0, "publishing the sample plugin failed: " + plugin.Publish);
    }

    [SkippableFact]
    public void VersionListsFirstPartyAndDiscoveredPlugins()
    {
        RequireHost();
        var r = Host(null, "--version");
        Assert.Equal(0, r.ExitCode);
        foreach (var name in new[] { "linux", "unsupported", "criu", "recorder" })
            Assert.Contains(name, r.Stdout);
    }

    [SkippableFact]
    public void ForcedThirdPartyBackendReceivesEveryOperation()
    {
        RequireHost();
        Assert.Equal(0, Host("recorder", "create", "--bundle", work, "c1").ExitCode);
        var state = Host("recorder", "state", "c1");
        Assert.Equal(0, state.ExitCode);
        Assert.Contains("\"status\": \"created\"", state.Stdout);
        Assert.Equal(0, Host("recorder", "start", "c1").ExitCode);
        Assert.Equal(0, Host("recorder", "kill", "c1", "KILL").ExitCode);
        Assert.Equal(0, Host("recorder", "delete", "c1").ExitCode);
        Assert.Equal(["create c1 " + work, "start c1", "kill c1 9", "delete c1"], File.ReadAllLines(RecordFile));
    }

    [SkippableFact]
    public void PluginFolderCanBeNamedDirectly()
    {
        RequireHost();
        var r = Tools.Run(Tools.PluginHostPath, ["--version"], env: new Dictionary<string, string?> { ["HULL_PLUGIN_PATH"] = plugin.PluginDir });
        Assert.Contains("recorder", r.Stdout);
    }

    [SkippableFact]
    public void OperationThePluginDoesNotProvideFailsClearly()
    {
        RequireHost();
        var r = Host("recorder", "pause", "c1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("pause is not provided by the 'recorder' backend", r.Stderr);
    }

    [SkippableFact]
    public void UnknownBackendNameListsThePluginsFound()
    {
        RequireHost();
        var r = Host("nosuch", "list");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nosuch", r.Stderr);
        Assert.Contains("recorder", r.Stderr);
        Assert.Contains("linux", r.Stderr);
    }

    [SkippableFact]
    public void WithoutForcingTheLinuxBackendIsChosenOnLinux()
    {
        RequireHost();
        Skip.IfNot(OperatingSystem.IsLinux(), "the linux backend is chosen only on Linux");
        var root = Path.Combine(work, "root");
        var r = Host(null, "--root", root, "list", "-q");
        Assert.Equal(0, r.ExitCode);
        Assert.False(File.Exists(RecordFile), "the recorder backend was used without being asked for");
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
