using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.State;

/// <summary>
/// runc's container id rule: one or more of [A-Za-z0-9_+.-], and not "." or "..", so an id is
/// always a plain directory name under the root dir and can never reach outside it.
/// </summary>
internal static class ContainerId
{
    /// <summary>Longer names cannot be a directory entry (NAME_MAX); runc fails later with ENAMETOOLONG.</summary>
    internal const int MaxLength = 255;

    internal static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && id is not "." and not ".." && id.All(IsAllowed);

    /// <summary>Throws runc's message (plus what is allowed) for an id that is not a safe name.</summary>
    internal static string Validate(string? id)
    {
        if (string.IsNullOrEmpty(id))
            throw new UsageException("container id cannot be empty");
        if (!IsValid(id))
            throw new UsageException(
                $"invalid container ID format: \"{id}\": use 1 to {MaxLength} of the characters A-Z a-z 0-9 _ + - . (and not \".\" or \"..\")");
        return id;
    }

    static bool IsAllowed(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '+' or '-' or '.';
}
