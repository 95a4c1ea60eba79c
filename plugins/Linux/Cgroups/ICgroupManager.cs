using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>The freezer state of a container's cgroup (runc's configs.FreezerState).</summary>
internal enum FreezerState
{
    /// <summary>No freezer to ask (cgroups disabled, freezer not mounted).</summary>
    Undefined,
    Thawed,
    Frozen,
}

/// <summary>
/// A container's cgroup, whatever the host's cgroup version. Create one with <see cref="CgroupManagers.Create"/>
/// at container creation and keep <see cref="Paths"/> in the state file; every later command re-opens it with
/// <see cref="CgroupManagers.Open"/>.
/// </summary>
internal interface ICgroupManager
{
    /// <summary>
    /// Directory per v1 controller ("memory", "name=systemd"...) and "" for the unified (v2) hierarchy, as
    /// runc's state.json "cgroup_paths". Empty when the container has no cgroup.
    /// </summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>
    /// Creates the cgroup(s) and moves <paramref name="pid"/> (the container's init) into them. On failure the
    /// pid may already be in some of them: kill it, then call <see cref="Destroy"/>.
    /// </summary>
    void Apply(int pid);

    /// <summary>
    /// Creates the cgroup(s) as <see cref="Apply"/> does, but moves no process: the container's init
    /// enters them itself from its bootstrap (<see cref="Paths"/> says where). Moving another process
    /// into a cgroup waits for an RCU grace period (5-20 ms here); a single-threaded process moving
    /// itself, or being cloned into its cgroup, does not.
    /// </summary>
    void Create();

    /// <summary>Moves another process (an exec'd one) into the container's existing cgroups.</summary>
    void AddProcess(int pid);

    /// <summary>
    /// Applies linux.resources. A limit the host cannot enforce (controller missing, file missing) is an
    /// error naming the resource, unless it only restates the default. Null <c>Devices</c> leaves the device
    /// rules alone (update); otherwise they replace the current ones.
    /// </summary>
    void Set(LinuxResources resources);

    /// <summary>The numbers `events --stats` prints (runc's types.Stats).</summary>
    Stats GetStats();

    /// <summary>Starts listening for OOM kills in the container's cgroup (`events`).</summary>
    IOomNotifier OpenOomNotifier();

    /// <summary>Stops every process of the cgroup; returns once the kernel reports it frozen.</summary>
    void Freeze();

    void Thaw();

    FreezerState GetFreezerState();

    /// <summary>Every process in the cgroup, sub-cgroups included (kill --all, ps).</summary>
    IReadOnlyList<int> GetPids();

    /// <summary>SIGKILLs every process in the cgroup: cgroup.kill where the kernel has it, else freeze, kill each, thaw.</summary>
    void KillAll();

    /// <summary>Whether the container's cgroup still exists.</summary>
    bool Exists();

    /// <summary>Removes every cgroup directory of the container (sub-cgroups first), retrying while the kernel says busy.</summary>
    void Destroy();
}
