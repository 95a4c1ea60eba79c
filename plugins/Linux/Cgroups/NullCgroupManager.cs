using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>
/// A container without a cgroup: cgroups are not mounted, or rootless hull could not create one and the
/// config asks for no limits. Placement is a no-op; what truly needs a cgroup fails with the reason.
/// </summary>
internal sealed class NullCgroupManager(string reason) : ICgroupManager
{
    public IReadOnlyDictionary<string, string> Paths { get; } = new Dictionary<string, string>();

    public void Apply(int pid) { }

    public void Create() { }

    public void AddProcess(int pid) { }

    /// <summary>Nothing to enforce is fine; any limit cannot be enforced without a cgroup.</summary>
    public void Set(LinuxResources resources)
    {
        if (ResourceNeeds.AnyLimit(resources)) throw Unavailable("apply linux.resources to");
    }

    public Stats GetStats() => throw Unavailable("read the stats of");

    public IOomNotifier OpenOomNotifier() => throw Unavailable("watch for OOM kills in");

    public void Freeze() => throw Unavailable("pause");

    public void Thaw() => throw Unavailable("resume");

    public FreezerState GetFreezerState() => FreezerState.Undefined;

    /// <summary>No cgroup, so no list of its processes (ps needs one; kill --all checks <see cref="Exists"/>
    /// and signals the init alone).</summary>
    public IReadOnlyList<int> GetPids() => throw Unavailable("list the processes of");

    public void KillAll() => throw Unavailable("kill all processes of");

    public bool Exists() => false;

    public void Destroy() { }

    CgroupException Unavailable(string operation) => new($"cannot {operation} the container: it has no cgroup ({reason})");
}
