using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;

namespace Hull.Plugins.Unsupported;

// PLACEHOLDER until the foundation work lands.
public sealed class UnsupportedPlugin : IHullPlugin
{
    public string Name => "unsupported";
    public string Description => "Refuses every container command on a platform Hull cannot run containers on";
    public PluginCapabilities Capabilities => PluginCapabilities.PlatformBackend;
    public int Priority => -100;
    public bool SupportsPlatform(PlatformInfo platform) => true;
}
