using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;
using Hull.Cli.Logging;
using Hull.Cli.Plugins;

namespace Hull.Cli;

/// <summary>
/// One hull invocation: its environment, global settings, log and (built on first use, so that
/// help, version and spec never load a backend) the platform backend.
/// </summary>
internal sealed class CliSession(HostEnvironment environment, IPluginCatalog catalog) : IDisposable
{
    private GlobalSettings? _settings;
    private IPlatformBackend? _backend;

    public HostEnvironment Environment => environment;
    public IPluginCatalog Catalog => catalog;
    public TextWriter Out => environment.Out;

    /// <summary>Until the global flags are read, errors go to stderr as text.</summary>
    public HullLog Log { get; private set; } = new(environment.Error, null, LogFormat.Text, false, environment.Clock);

    public GlobalSettings Settings => _settings ?? throw new InvalidOperationException("global settings are read before any command runs");

    public void UseLogging(string? file, LogFormat format, bool debug)
    {
        Log.Dispose();
        Log = new HullLog(environment.Error, file, format, debug, environment.Clock);
    }

    public void UseSettings(GlobalSettings settings)
    {
        _settings = settings;
        if (settings.CriuGiven)
            Log.Warn("--criu is ignored: hull runs CRIU through its criu plugin");
    }

    public IPlatformBackend Backend => _backend ??= CreateBackend();

    /// <summary>A path from the command line, absolute against the working directory (as runc does before it changes directory).</summary>
    public string FullPath(string path) => Path.GetFullPath(path, environment.WorkingDirectory);

    /// <summary>The bundle: --bundle, or the working directory.</summary>
    public string Bundle(string? bundle) => string.IsNullOrEmpty(bundle) ? environment.WorkingDirectory : FullPath(bundle);

    private IPlatformBackend CreateBackend()
    {
        var settings = Settings;
        var platform = environment.Platform;
        foreach (var problem in catalog.Problems)
            Log.Debug("plugin problem: " + problem);
        var plugin = BackendSelector.SelectBackend(catalog, platform, settings.Backend, settings.BackendSource);
        Log.Debug($"backend: {plugin.Name} (priority {plugin.Priority}) on {platform.DisplayName}");
        var pluginContext = new PluginContext(settings.Runtime, Log, platform);
        return plugin.CreateBackend(new BackendContext(
            settings.Runtime, Log, platform, BackendSelector.LazyCheckpointer(catalog, pluginContext)));
    }

    public void Dispose() => Log.Dispose();
}
