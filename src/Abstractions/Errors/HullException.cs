namespace Hull.Abstractions.Errors;

/// <summary>
/// An error hull reports to the user: one clear line that says what was wrong and, where it helps,
/// what to do. The host prints it (and logs it as json with --log-format json) and exits with
/// <see cref="ExitCode"/>, which is 1 for every error, as runc's.
/// </summary>
public class HullException(string message, Exception? inner = null) : Exception(message, inner)
{
    public virtual int ExitCode => 1;
}

/// <summary>The container id names no container in the root directory.</summary>
public sealed class ContainerNotFoundException(string id)
    : HullException($"container \"{id}\" does not exist")
{
    public string Id { get; } = id;
}

/// <summary>A container with this id already exists.</summary>
public sealed class ContainerExistsException(string id)
    : HullException($"container with id \"{id}\" already exists")
{
    public string Id { get; } = id;
}

/// <summary>The operation is not allowed in the container's current state; nothing was changed.</summary>
public sealed class InvalidStateException(string id, string operation, string status, string? hint = null)
    : HullException($"cannot {operation} container \"{id}\": it is {status}{(hint is null ? "" : "; " + hint)}");

/// <summary>config.json (or process.json, a resources file) is malformed or invalid.</summary>
public sealed class ConfigException(string message, string? jsonPath = null)
    : HullException(jsonPath is null ? message : $"{jsonPath}: {message}")
{
    public string? JsonPath { get; } = jsonPath;
}

/// <summary>The command line is wrong (a missing id, a bad flag value).</summary>
public sealed class UsageException(string message) : HullException(message);

/// <summary>The selected backend does not provide this command.</summary>
public sealed class CommandNotProvidedException(string command, string backend)
    : HullException($"{command} is not provided by the '{backend}' backend: choose another with HULL_BACKEND=<name>")
{
    public string Command { get; } = command;
}

/// <summary>The platform cannot run containers at all (the Unsupported backend).</summary>
public sealed class PlatformNotSupportedException(string command, string platform)
    : HullException($"{command} is not supported on {platform}: this platform has no container backend")
{
    public string Command { get; } = command;
}
