namespace Hull.Plugins.Linux.Security;

/// <summary>Which label-based LSMs the running kernel has active, and what AppArmor has loaded.</summary>
internal interface ILsmHost
{
    bool AppArmorEnabled { get; }
    bool SelinuxEnabled { get; }

    /// <summary>Whether AppArmor has a profile of this name loaded; null when that cannot be read
    /// (securityfs not mounted), so the kernel decides when the label is applied.</summary>
    bool? AppArmorProfileLoaded(string name);
}

/// <summary>
/// The host's LSMs as the kernel reports them. /sys/kernel/security/lsm lists the active ones
/// when securityfs is mounted; without it, AppArmor's module parameter and selinuxfs tell (as
/// runc's apparmor.IsEnabled and go-selinux look).
/// </summary>
internal sealed class LsmHost(Func<string, string?> readFile, Func<string, bool> exists) : ILsmHost
{
    internal const string LsmList = "/sys/kernel/security/lsm";
    internal const string AppArmorParameter = "/sys/module/apparmor/parameters/enabled";
    internal const string AppArmorProfiles = "/sys/kernel/security/apparmor/profiles";
    internal const string SelinuxFs = "/sys/fs/selinux/enforce";

    public static LsmHost Real { get; } = new(ReadOrNull, Path.Exists);

    string[]? Active => readFile(LsmList)?.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool AppArmorEnabled =>
        Active is { } active
            ? active.Contains("apparmor")
            : readFile(AppArmorParameter)?.StartsWith('Y') == true;

    public bool SelinuxEnabled =>
        (Active is not { } active || active.Contains("selinux")) && exists(SelinuxFs);

    public bool? AppArmorProfileLoaded(string name)
    {
        if (readFile(AppArmorProfiles) is not { } profiles) return null;
        // One "name (mode)" line per profile; a name may itself contain spaces.
        foreach (var line in profiles.Split('\n'))
        {
            var cut = line.LastIndexOf(" (", StringComparison.Ordinal);
            if (cut > 0 && line.AsSpan(0, cut).SequenceEqual(name)) return true;
        }
        return false;
    }

    static string? ReadOrNull(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
