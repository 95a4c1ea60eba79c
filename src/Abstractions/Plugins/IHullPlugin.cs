using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Runtime;

namespace Hull.Abstractions.Plugins;

/// <summary>What a plugin offers: a platform backend, a checkpointer, or both.</summary>
[Flags]
public enum PluginCapabilities
{
    None = 0,
    PlatformBackend = 1,
    Checkpointer = 2,
}

/// <summary>
/// The one entry type of a plugin assembly. The host creates it with a public parameterless
/// constructor, so the constructor must be cheap: every hull command is a short-lived process.
/// </summary>
public interface IHullPlugin
{
    /// <summary>Short lower-case name, used by HULL_BACKEND and --backend (e.g. "linux").</summary>
    string Name { get; }

    string Description { get; }

    PluginCapabilities Capabilities { get; }

    /// <summary>
    /// When several backends support the platform, the host picks the highest priority.
    /// First-party: linux 100, unsupported -100 (the fallback). Third-party plugins default to 0.
    /// </summary>
    int Priority => 0;

    /// <summary>Whether this plugin can work on the given platform at all.</summary>
    bool SupportsPlatform(PlatformInfo platform);

    /// <summary>Only called when <see cref="Capabilities"/> has PlatformBackend.</summary>
    IPlatformBackend CreateBackend(BackendContext context) =>
        throw new NotSupportedException($"plugin '{Name}' provides no platform backend");

    /// <summary>Only called when <see cref="Capabilities"/> has Checkpointer.</summary>
    ICheckpointer CreateCheckpointer(PluginContext context) =>
        throw new NotSupportedException($"plugin '{Name}' provides no checkpointer");
}
