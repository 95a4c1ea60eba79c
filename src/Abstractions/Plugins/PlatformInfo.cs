using System.Runtime.InteropServices;

namespace Hull.Abstractions.Plugins;

/// <summary>The platform the host runs on, as plugins see it (injectable for tests).</summary>
public sealed record PlatformInfo(string OsName, string OsVersion, Architecture Architecture, bool IsLinux)
{
    public static PlatformInfo Current { get; } = new(
        OperatingSystem.IsLinux() ? "Linux"
            : OperatingSystem.IsMacOS() ? "macOS"
            : OperatingSystem.IsWindows() ? "Windows"
            : OperatingSystem.IsFreeBSD() ? "FreeBSD"
            : RuntimeInformation.OSDescription,
        Environment.OSVersion.Version.ToString(),
        RuntimeInformation.OSArchitecture,
        OperatingSystem.IsLinux());

    /// <summary>"Linux 6.18.44", "macOS 15.1" — how error messages name the platform.</summary>
    public string DisplayName => $"{OsName} {OsVersion}";
}
