namespace Hull.Plugins.Criu;

/// <summary>CRIU's version as its VERSION RPC reports it.</summary>
internal sealed record CriuVersion(int Major, int Minor, int Sublevel, string? GitId = null) : IComparable<CriuVersion>
{
    /// <summary>
    /// The oldest CRIU the plugin drives. 3.16 is where every option it sends works as runc 1.1
    /// expects without version switches: cgroup v2 freezing (3.14), external pid namespaces and the
    /// "status-ready" notification for lazy pages (3.15), LSM fixes (3.16).
    /// </summary>
    public static CriuVersion Minimum { get; } = new(3, 16, 0);

    /// <summary>runc's encoding (major*10000 + minor*100 + sublevel), e.g. 40201 for 4.2.1.</summary>
    public int Number => Major * 10000 + Minor * 100 + Sublevel;

    public int CompareTo(CriuVersion? other) => other is null ? 1 : Number.CompareTo(other.Number);

    public override string ToString() =>
        (Sublevel == 0 ? $"{Major}.{Minor}" : $"{Major}.{Minor}.{Sublevel}") + (string.IsNullOrEmpty(GitId) ? "" : $" ({GitId})");
}
