using Hull.Abstractions.Plugins;

namespace Hull.Cli;

/// <summary>Where the host's plugins come from: compiled in (native build) or discovered (plugin host).</summary>
public interface IPluginCatalog
{
    IReadOnlyList<IHullPlugin> Plugins { get; }

    /// <summary>Problems met while discovering plugins (a folder with no plugin, a load failure), for --debug and errors.</summary>
    IReadOnlyList<string> Problems => [];
}

/// <summary>The native build's catalog: the plugins compiled into the executable.</summary>
public sealed class StaticPluginCatalog(IReadOnlyList<IHullPlugin> plugins) : IPluginCatalog
{
    public IReadOnlyList<IHullPlugin> Plugins { get; } = plugins;
}
