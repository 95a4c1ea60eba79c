using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;

namespace Hull.Plugins.Linux;

/// <summary>The Linux platform backend (the libcontainer of Hull).</summary>
public sealed class LinuxPlugin : IHullPlugin
{
    public string Name => "linux";
    public string Description => "Linux containers: namespaces, rootfs, cgroups v1/v2, seccomp, hooks";
    public PluginCapabilities Capabilities => PluginCapabilities.PlatformBackend;
    public int Priority => 100;
    public bool SupportsPlatform(PlatformInfo platform) => platform.IsLinux;
    public IPlatformBackend CreateBackend(BackendContext context) => new LinuxBackend(context);
}
