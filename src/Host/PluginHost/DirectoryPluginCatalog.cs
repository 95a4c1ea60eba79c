using System.Diagnostics.CodeAnalysis;
using Hull.Abstractions.Plugins;
using Hull.Cli;
using McMaster.NETCore.Plugins;

namespace Hull.PluginHost;

/// <summary>
/// Discovers plugins at run time: every folder under plugins/ next to the host, and every folder
/// named in HULL_PLUGIN_PATH (colon-separated; a folder may be a plugin folder itself or hold plugin
/// folders). In a plugin folder, each assembly that has its own .deps.json is a plugin's main
/// assembly (its dependencies have none). Abstractions is shared with the host, so the plugin's
/// IHullPlugin is the host's type.
/// </summary>
public sealed class DirectoryPluginCatalog : IPluginCatalog
{
    public const string PluginPathVariable = "HULL_PLUGIN_PATH";

    readonly List<IHullPlugin> plugins = [];
    readonly List<string> problems = [];

    public IReadOnlyList<IHullPlugin> Plugins => plugins;
    public IReadOnlyList<string> Problems => problems;

    public static DirectoryPluginCatalog Discover(string hostDirectory, string? pluginPath)
    {
        var catalog = new DirectoryPluginCatalog();
        var roots = new List<string> { Path.Combine(hostDirectory, "plugins") };
        roots.AddRange((pluginPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var root in roots.Distinct())
            catalog.Scan(root);
        return catalog;
    }

    void Scan(string root)
    {
        if (!Directory.Exists(root))
        {
            // The host's own plugins/ folder may legitimately be absent; a folder the user named may not.
            if (!root.EndsWith(Path.DirectorySeparatorChar + "plugins", StringComparison.Ordinal))
                problems.Add($"plugin folder {root} does not exist");
            return;
        }
        var folders = MainAssemblies(root).Any() ? new[] { root } : Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray();
        foreach (var folder in folders)
        {
            var found = false;
            foreach (var assembly in MainAssemblies(folder))
                found |= Load(assembly);
            if (!found) problems.Add($"no plugin found in {folder}");
        }
    }

    static IEnumerable<string> MainAssemblies(string folder) =>
        Directory.EnumerateFiles(folder, "*.deps.json")
            .Select(deps => deps[..^".deps.json".Length] + ".dll")
            .Where(File.Exists)
            .Order(StringComparer.Ordinal);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The plugin host is never trimmed: loading unknown plugins is its purpose.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As above.")]
    bool Load(string assemblyPath)
    {
        try
        {
            var loader = PluginLoader.CreateFromAssemblyFile(assemblyPath, sharedTypes: [typeof(IHullPlugin)]);
            var entryTypes = loader.LoadDefaultAssembly().GetExportedTypes()
                .Where(t => typeof(IHullPlugin).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToList();
            foreach (var type in entryTypes)
                plugins.Add((IHullPlugin)Activator.CreateInstance(type)!);
            return entryTypes.Count > 0;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or TypeLoadException or MissingMethodException or System.Reflection.TargetInvocationException)
        {
            problems.Add($"cannot load plugin {assemblyPath}: {e.Message}");
            return true;
        }
    }
}
