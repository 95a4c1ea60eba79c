using Hull.Abstractions.Errors;
using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;

namespace Hull.Plugins.Unsupported;

/// <summary>
/// Every lifecycle command fails at once, before touching anything, with one line that names the
/// command and the platform. `features` reports the honest, empty feature set (the base's).
/// </summary>
internal sealed class UnsupportedBackend(PlatformInfo platform) : PlatformBackendBase
{
    protected override string BackendName => "unsupported";

    protected override HullException NotProvided(string command) =>
        new Abstractions.Errors.PlatformNotSupportedException(command, platform.DisplayName);
}
