using System.Reflection;
using System.Text;
using Hull.Abstractions.Oci;
using Hull.Cli.Plugins;

namespace Hull.Cli.Help;

/// <summary>
/// `hull --version`, in runc's shape ("runc version 1.1.5" / "commit: ..." / "spec: 1.0.2-dev")
/// plus the .NET runtime and the plugins loaded. The version and commit come from the assembly's
/// informational version, "0.1.0+&lt;commit&gt;" when built with -p:SourceRevisionId=&lt;commit&gt;.
/// </summary>
internal static class VersionInfo
{
    public static (string Version, string Commit) Read()
    {
        var informational = typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return Split(informational);
    }

    public static (string Version, string Commit) Split(string? informational)
    {
        if (string.IsNullOrEmpty(informational))
            return ("unknown", "unknown");
        var plus = informational.IndexOf('+');
        return plus < 0 ? (informational, "unknown") : (informational[..plus], informational[(plus + 1)..]);
    }

    public static string Text(IPluginCatalog catalog, bool withProgramName)
    {
        var (version, commit) = Read();
        var sb = new StringBuilder();
        sb.Append(withProgramName ? "hull version " : "").Append(version).Append('\n');
        sb.Append("commit: ").Append(commit).Append('\n');
        sb.Append("spec: ").Append(OciVersion.Spec).Append('\n');
        sb.Append("dotnet: ").Append(Environment.Version).Append('\n');
        sb.Append("plugins: ").Append(catalog.Plugins.Count == 0
            ? "none"
            : string.Join(", ", catalog.Plugins.Select(p => $"{p.Name} ({BackendSelector.Describe(p.Capabilities)})"))).Append('\n');
        foreach (var problem in catalog.Problems)
            sb.Append("plugin problem: ").Append(problem).Append('\n');
        return sb.ToString();
    }
}
