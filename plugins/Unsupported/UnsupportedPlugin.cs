using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;

namespace Hull.Plugins.Unsupported;

/// <summary>
/// The backend for platforms hull cannot run containers on: chosen automatically where no other
/// backend supports the platform (every OS but Linux), and on Linux with HULL_BACKEND=unsupported.
/// </summary>
public sealed class UnsupportedPlugin : IHullPlugin
{
    public string Name => "unsupported";
    public string Description => "Refuses every container command on a platform Hull cannot run containers on";
    public PluginCapabilities Capabilities => PluginCapabilities.PlatformBackend;

    /// <summary>The lowest priority: it supports every platform, so it must only win where nothing else does.</summary>
    public int Priority => -100;

    public bool SupportsPlatform(PlatformInfo platform) => true;

    public IPlatformBackend CreateBackend(BackendContext context) => new UnsupportedBackend(context.Platform);
}
