using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;

namespace Hull.Plugins.Linux;

// PLACEHOLDER until the Linux backend work lands: every operation is refused.
internal sealed class LinuxBackend(BackendContext context) : PlatformBackendBase
{
    protected override string BackendName => "linux";
    internal BackendContext Context { get; } = context;
}
