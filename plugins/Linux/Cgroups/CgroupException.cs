using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>A cgroup operation failed or a resource cannot be applied on this host; the message says which and why.</summary>
internal sealed class CgroupException(string message, Exception? inner = null) : HullException(message, inner);
