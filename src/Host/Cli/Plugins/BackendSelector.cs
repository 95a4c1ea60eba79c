using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Plugins;

namespace Hull.Cli.Plugins;

/// <summary>
/// Picks the plugins a command uses: the platform backend (the supporting plugin with the highest
/// priority, or the one HULL_BACKEND / --backend names) and, only when asked, the checkpointer.
/// </summary>
internal static class BackendSelector
{
    /// <param name="forcedName">--backend, else HULL_BACKEND; null to choose by platform.</param>
    /// <param name="forcedBy">How the name was given, for the error ("--backend", "HULL_BACKEND").</param>
    public static IHullPlugin SelectBackend(IPluginCatalog catalog, PlatformInfo platform, string? forcedName, string forcedBy)
    {
        if (!string.IsNullOrEmpty(forcedName))
        {
            var named = catalog.Plugins.FirstOrDefault(p => string.Equals(p.Name, forcedName, StringComparison.OrdinalIgnoreCase));
            if (named is null)
                throw new HullException($"{forcedBy} names backend \"{forcedName}\", but no plugin has that name; {Found(catalog)}");
            if (!named.Capabilities.HasFlag(PluginCapabilities.PlatformBackend))
                throw new HullException($"{forcedBy} names plugin \"{named.Name}\", which provides no platform backend; {Found(catalog)}");
            if (!named.SupportsPlatform(platform))
                throw new HullException($"{forcedBy} names backend \"{named.Name}\", which does not support {platform.DisplayName}; {Found(catalog)}");
            return named;
        }

        IHullPlugin? best = null;
        foreach (var plugin in catalog.Plugins)
        {
            // Ties keep the catalog's order, so the choice is stable.
            if (plugin.Capabilities.HasFlag(PluginCapabilities.PlatformBackend) && plugin.SupportsPlatform(platform) &&
                (best is null || plugin.Priority > best.Priority))
                best = plugin;
        }
        return best ?? throw new HullException($"no plugin provides a backend for {platform.DisplayName}; {Found(catalog)}");
    }

    /// <summary>The checkpointer for this platform with the highest priority, or null when no plugin provides one.</summary>
    public static IHullPlugin? SelectCheckpointer(IPluginCatalog catalog, PlatformInfo platform)
    {
        IHullPlugin? best = null;
        foreach (var plugin in catalog.Plugins)
        {
            if (plugin.Capabilities.HasFlag(PluginCapabilities.Checkpointer) && plugin.SupportsPlatform(platform) &&
                (best is null || plugin.Priority > best.Priority))
                best = plugin;
        }
        return best;
    }

    /// <summary>A one-time factory for BackendContext.Checkpointer: nothing is chosen or built until checkpoint/restore asks.</summary>
    public static Func<ICheckpointer?> LazyCheckpointer(IPluginCatalog catalog, PluginContext context)
    {
        var created = false;
        ICheckpointer? checkpointer = null;
        return () =>
        {
            if (!created)
            {
                checkpointer = SelectCheckpointer(catalog, context.Platform)?.CreateCheckpointer(context);
                created = true;
            }
            return checkpointer;
        };
    }

    private static string Found(IPluginCatalog catalog)
    {
        var found = catalog.Plugins.Count == 0
            ? "no plugins were found"
            : "plugins found: " + string.Join("; ", catalog.Plugins.Select(p => $"{p.Name} ({Describe(p.Capabilities)}): {p.Description}"));
        return catalog.Problems.Count == 0 ? found : found + "; problems: " + string.Join("; ", catalog.Problems);
    }

    public static string Describe(PluginCapabilities capabilities) => capabilities switch
    {
        PluginCapabilities.PlatformBackend => "backend",
        PluginCapabilities.Checkpointer => "checkpointer",
        PluginCapabilities.PlatformBackend | PluginCapabilities.Checkpointer => "backend, checkpointer",
        _ => "nothing",
    };
}
