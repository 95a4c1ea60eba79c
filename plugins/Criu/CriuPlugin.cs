using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Plugins;

namespace Hull.Plugins.Criu;

/// <summary>
/// Checkpoint/restore through CRIU's RPC (`criu swrk`). Constructing the plugin and the
/// checkpointer touches nothing: CRIU is looked for only when checkpoint or restore runs, so every
/// other command works on machines without CRIU.
/// </summary>
public sealed class CriuPlugin : IHullPlugin
{
    public string Name => "criu";
    public string Description => "Checkpoint/restore through CRIU's RPC";
    public PluginCapabilities Capabilities => PluginCapabilities.Checkpointer;
    public bool SupportsPlatform(PlatformInfo platform) => platform.IsLinux;

    public ICheckpointer CreateCheckpointer(PluginContext context) => OperatingSystem.IsLinux()
        ? new CriuCheckpointer(context.Options.CriuPath, context.Log)
        : throw new Abstractions.Errors.PlatformNotSupportedException("checkpoint", context.Platform.DisplayName);
}
