using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Rootfs;
using static Hull.Plugins.Linux.Interop.Libc.Fs;

namespace Hull.Plugins.Linux.Checkpoint;

/// <summary>
/// Makes the mount points of <see cref="CriuMounts.RestoreMountpoints"/> in the rootfs, resolved
/// inside it as create resolves them (<see cref="LibcMountOps"/>). The bind mounts among them are
/// made in hull's mount namespace for the time of the restore only: disposing unmounts them.
/// </summary>
internal sealed class RestoreMountpoints : IDisposable
{
    readonly LibcMountOps ops = new();
    readonly List<string> binds = [];

    RestoreMountpoints(string rootfs) => ops.UseRoot(rootfs);

    internal static RestoreMountpoints Prepare(string rootfs, IReadOnlyList<MountStep> steps)
    {
        var prepared = new RestoreMountpoints(rootfs);
        try
        {
            foreach (var step in steps)
            {
                if ((step.Flags & MountFlags.BIND) == 0)
                {
                    prepared.ops.MakeDirectory(step.Destination);
                    continue;
                }
                prepared.ops.Mount(step);
                prepared.binds.Add(step.Destination);
            }
            return prepared;
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        // Innermost first; each found again inside the rootfs, never by a host path.
        for (var i = binds.Count - 1; i >= 0; i--)
        {
            using var mounted = ops.Resolve(binds[i], null, noSymlinks: false);
            umount2(ProcFdPath(mounted), MNT_DETACH);
        }
        binds.Clear();
        ops.Dispose();
    }
}
