using Hull.Abstractions.Plugins;

namespace Hull.Plugins.Criu;

// PLACEHOLDER until the CRIU work lands.
public sealed class CriuPlugin : IHullPlugin
{
    public string Name => "criu";
    public string Description => "Checkpoint/restore through CRIU's RPC";
    public PluginCapabilities Capabilities => PluginCapabilities.Checkpointer;
    public bool SupportsPlatform(PlatformInfo platform) => platform.IsLinux;
}
