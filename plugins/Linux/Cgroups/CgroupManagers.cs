using Hull.Plugins.Linux.Cgroups.V1;
using Hull.Plugins.Linux.Cgroups.V2;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>
/// Creates the right cgroup manager for the host, or re-opens one from the paths kept in the state file.
/// A container's life: <c>Create(CgroupConfig.FromSpec(...))</c>; <c>Apply(initPid)</c> as soon as the init
/// exists (everything it forks is then born inside); <c>Set(config.Resources)</c> once the init has made its
/// namespaces and rootfs, before the user process runs; save <c>Paths</c>. Later commands: <c>Open(paths)</c>
/// for pause/resume/stats/events/update/ps/kill --all, and <c>Destroy()</c> at delete, after the processes died.
/// </summary>
internal static class CgroupManagers
{
    /// <summary>The manager for a new container. Nothing is created on disk until <see cref="ICgroupManager.Apply"/>.</summary>
    public static ICgroupManager Create(CgroupConfig config, CgroupHost? host = null, ICgroupFs? fs = null, Func<bool>? systemdRunning = null)
    {
        if (config.Systemd)
        {
            // runc refuses the same way; a systemd driver would be chosen here.
            if (!(systemdRunning ?? IsSystemdRunning)())
                throw new CgroupException("systemd not running on this host, cannot use systemd cgroups manager");
            throw new CgroupException("the systemd cgroup driver is not available in hull yet: run without --systemd-cgroup (hull then manages the cgroup directly)");
        }
        host ??= CgroupHost.Detect();
        fs ??= CgroupFs.Instance;
        var inner = CgroupPaths.Inner(config);
        // runc's rootless rule: without an explicit cgroupsPath, a cgroup hull may not write is no error by itself.
        var tolerant = config.Rootless && string.IsNullOrEmpty(config.Path);
        switch (host.Mode)
        {
            case CgroupMode.V2:
                return new CgroupV2Manager(fs, CgroupPaths.Unified(host, inner, besideOwn: true), config.Rootless,
                    ignoreUnwritable: tolerant && !ResourceNeeds.AnyLimit(config.Resources),
                    needsDomainControllers: ResourceNeeds.DomainControllers(config.Resources));
            case CgroupMode.V1 or CgroupMode.Hybrid:
                var paths = new Dictionary<string, string>();
                foreach (var mount in host.V1Mounts)
                    foreach (var controller in mount.Controllers)
                        paths[controller] = CgroupPaths.V1(host, mount, controller, inner);
                if (host.Mode == CgroupMode.Hybrid) paths[""] = CgroupPaths.Unified(host, inner, besideOwn: false);
                return new CgroupV1Manager(fs, paths, config.Rootless, dropUnwritable: tolerant, initial: config.Resources);
            default:
                if (ResourceNeeds.AnyLimit(config.Resources))
                    throw new CgroupException("cannot apply linux.resources: no cgroup filesystem is mounted on this host");
                return new NullCgroupManager("no cgroup filesystem is mounted on this host");
        }
    }

    /// <summary>
    /// Re-opens a container's manager from <see cref="ICgroupManager.Paths"/> as saved in its state: only ""
    /// means v2, v1 controller keys mean v1 (a hybrid host adds ""), none means the container has no cgroup.
    /// </summary>
    public static ICgroupManager Open(IReadOnlyDictionary<string, string>? paths, bool rootless, ICgroupFs? fs = null)
    {
        fs ??= CgroupFs.Instance;
        if (paths is null || paths.Count == 0)
            return new NullCgroupManager(rootless ? RootlessCgroups.NoCgroup : "cgroups are not available");
        if (paths.Count == 1 && paths.TryGetValue("", out var unified))
            return new CgroupV2Manager(fs, unified, rootless);
        return new CgroupV1Manager(fs, paths, rootless);
    }

    static bool IsSystemdRunning() => Directory.Exists("/run/systemd/system");
}
