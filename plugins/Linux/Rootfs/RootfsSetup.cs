using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Rootfs;

/// <summary>
/// The container's filesystem, set up by its init inside the new mount namespace, in the two
/// phases of <see cref="RootfsPlan"/>:
/// <see cref="MountAll"/> — "/" propagation, the rootfs bound onto itself, every config mount,
/// /dev nodes and links — then (after the prestart, createRuntime and createContainer hooks)
/// <see cref="Enter"/> — cwd created, readonlyPaths, maskedPaths, the delayed read-only
/// remounts, root.readonly, and pivot_root (or MS_MOVE + chroot for --no-pivot).
/// </summary>
internal sealed class RootfsSetup(RootfsPlan plan, IMountOps ops) : IDisposable
{
    internal RootfsPlan Plan { get; } = plan;

    /// <summary>The plan for this config, from facts read in the calling (init) process, with the real seam.</summary>
    internal static RootfsSetup ForInit(Spec spec, string rootfs, string bundle, bool noPivot)
    {
        var userns = spec.Linux?.Namespaces?.Any(n => n.Type == "user") == true;
        var facts = RootfsFacts.Gather(rootfs, bundle, userns);
        return new RootfsSetup(RootfsPlanner.Plan(spec, facts, noPivot), new LibcMountOps());
    }

    internal void MountAll()
    {
        foreach (var step in Plan.Mounts) step.ApplyTo(ops);
    }

    /// <summary>terminal: true — the pty slave onto /dev/console, between <see cref="MountAll"/> and <see cref="Enter"/>
    /// (runc does it after pivot_root; before it the same bind goes through the host's /proc, which the
    /// container may not have).</summary>
    internal void BindConsole(int slaveFd) => ops.BindConsole(slaveFd);

    internal void Enter()
    {
        foreach (var step in Plan.Enter) step.ApplyTo(ops);
    }

    public void Dispose() => (ops as IDisposable)?.Dispose();
}
