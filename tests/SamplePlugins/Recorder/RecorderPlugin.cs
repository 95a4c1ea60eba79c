using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;

namespace Hull.Sample.Recorder;

/// <summary>The plugin's entry type: found by the plugin host because it implements IHullPlugin.</summary>
public sealed class RecorderPlugin : IHullPlugin
{
    public string Name => "recorder";
    public string Description => "Sample backend that records every operation to $HULL_RECORDER_FILE";
    public PluginCapabilities Capabilities => PluginCapabilities.PlatformBackend;

    // Lower than the first-party linux backend: it is only used when asked for by name.
    public int Priority => 0;

    public bool SupportsPlatform(PlatformInfo platform) => true;

    public IPlatformBackend CreateBackend(BackendContext context) =>
        new RecorderBackend(Environment.GetEnvironmentVariable("HULL_RECORDER_FILE")
            ?? Path.Combine(context.Options.Root ?? Path.GetTempPath(), "recorder.log"));
}
