using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Runtime;

namespace Hull.Abstractions.Plugins;

/// <summary>What every plugin gets from the host: the global options and the log.</summary>
public record PluginContext(RuntimeOptions Options, IHullLog Log, PlatformInfo Platform);

/// <summary>
/// What a platform backend gets. The checkpointer is resolved lazily, only when checkpoint or
/// restore asks for it, so other commands never pay for loading it.
/// </summary>
public sealed record BackendContext(
    RuntimeOptions Options,
    IHullLog Log,
    PlatformInfo Platform,
    Func<ICheckpointer?> Checkpointer) : PluginContext(Options, Log, Platform);
