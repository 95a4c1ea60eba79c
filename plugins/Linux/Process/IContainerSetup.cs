using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The in-container steps the init runs, in this order, on its main thread (the one that calls
/// execve, since capabilities, no_new_privs and seccomp are per-thread). Implemented by the Rootfs,
/// Setup and Hooks parts of this plugin; the init only sequences them with the parent.
/// </summary>
internal interface IContainerSetup
{
    /// <summary>Every mount of the config inside the new mount namespace, before pivot_root
    /// (the parent runs the prestart/createRuntime hooks right after).</summary>
    void MountRootfs(Spec spec, InitOptions options);

    /// <summary>The createContainer hooks: in the container's namespaces, before pivot_root.</summary>
    void RunCreateContainerHooks(Spec spec, InitOptions options);

    /// <summary>pivot_root (or MS_MOVE+chroot with --no-pivot), /dev, masked and readonly paths, read-only root.</summary>
    void EnterRootfs(Spec spec, InitOptions options);

    /// <summary>hostname, domainname, sysctl, oomScoreAdj: what needs privileges in the container.</summary>
    void ConfigureContainer(Spec spec);

    /// <summary>user, groups, umask, capabilities, no_new_privs: from here on the init is the container's process.</summary>
    void BecomeContainerProcess(Spec spec);

    /// <summary>The startContainer hooks: after start, before execve.</summary>
    void RunStartContainerHooks(Spec spec, InitOptions options);

    /// <summary>Resource limits, the last step before execve, so the init's own work never hits them.</summary>
    void ApplyRlimits(Spec spec);
}
