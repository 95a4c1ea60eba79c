using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Hooks;
using Hull.Plugins.Linux.Rootfs;

namespace Hull.Plugins.Linux.Setup;

/// <summary>
/// Everything the container's init does inside the container, one method per step of the init's
/// sequence (the Process part's IContainerSetup), on the init's main thread:
/// <list type="number">
/// <item><see cref="MountRootfs"/> — in the new mount namespace; then the parent runs the
/// prestart and createRuntime hooks;</item>
/// <item><see cref="RunCreateContainerHooks"/> — still before pivot_root (paths resolve on the host);</item>
/// <item><see cref="EnterRootfs"/> — masks, read-only remounts, pivot_root;</item>
/// <item><see cref="ConfigureContainer"/> — hostname, domainname, sysctl, oomScoreAdj;</item>
/// <item><see cref="BecomeContainerProcess"/> — no_new_privs, capabilities, ids, umask;</item>
/// <item>(exec fifo wait) <see cref="RunStartContainerHooks"/> — after start, inside the container;</item>
/// <item><see cref="ApplyRlimits"/> — last before execve (better: the parent, see there).</item>
/// </list>
/// </summary>
internal sealed class InitSetup(IProcessOps ops, Action<string> warn) : IDisposable
{
    RootfsSetup? rootfs;
    ProcFs? proc;

    internal static InitSetup Real(Action<string> warn) => new(new LibcProcessOps(), warn);

    /// <summary>
    /// Checks what can be checked from the config alone (hooks, sysctls, hostname, rlimits); the
    /// parent should call it before starting anything, so a bad config leaves nothing behind.
    /// </summary>
    internal static void Validate(Spec spec)
    {
        HookRunner.Validate(spec);
        KernelSettings.Validate(spec);
        Rlimits.Validate(spec.Process?.Rlimits);
    }

    /// <summary>
    /// Step 1: the whole mount plan's first phase. Also opens the host's procfs, checked, while it is
    /// still reachable: sysctls and oom_score_adj are written through it after pivot_root.
    /// </summary>
    internal void MountRootfs(Spec spec, string bundle, string rootfsPath, bool noPivot)
    {
        proc = ProcFs.Open();
        rootfs = RootfsSetup.ForInit(spec, rootfsPath, bundle, noPivot);
        rootfs.MountAll();
    }

    /// <summary>Step 2: createContainer hooks, run from the rootfs directory as runc does.
    /// <paramref name="state"/> is "creating" with the init's pid.</summary>
    internal void RunCreateContainerHooks(Spec spec, ContainerState state, string rootfsPath) =>
        HookRunner.Run(spec, HookPhase.CreateContainer, state, workingDirectory: rootfsPath);

    /// <summary>Between steps 2 and 3 when process.terminal is true: the pty slave becomes /dev/console.
    /// The slave must be opened in the init's mount namespace (from the container's /dev/pts/ptmx, as
    /// runc does): the kernel refuses a bind source from another mount namespace.</summary>
    internal void BindConsole(int slaveFd) =>
        (rootfs ?? throw new InvalidOperationException("MountRootfs comes first")).BindConsole(slaveFd);

    /// <summary>Step 3: cwd created, readonlyPaths, maskedPaths, the delayed read-only remounts,
    /// root.readonly, pivot_root (or MS_MOVE + chroot).</summary>
    internal void EnterRootfs()
    {
        var setup = rootfs ?? throw new InvalidOperationException("MountRootfs comes first");
        setup.Enter();
        setup.Dispose();
        rootfs = null;
    }

    /// <summary>Step 4: hostname, domainname, sysctl, oomScoreAdj (through the procfs opened in step 1).</summary>
    internal void ConfigureContainer(Spec spec)
    {
        var procfs = proc ?? throw new InvalidOperationException("MountRootfs comes first");
        KernelSettings.Apply(spec, procfs, ops);
        procfs.Dispose();
        proc = null;
    }

    /// <summary>
    /// Step 5: from here on the thread is the container's process (no_new_privs, capabilities,
    /// groups, gid, uid, umask), with <paramref name="held"/> capabilities kept for the caller to
    /// drop (see <see cref="ProcessSetup.Apply"/>). Returns the user, for HOME (<see cref="ProcessSetup.WithHome"/>).
    /// </summary>
    internal ExecUser BecomeContainerProcess(Spec spec, bool rootlessEuid, ulong held = 0) =>
        new ProcessSetup(ops).Apply(spec.Process ?? throw new Abstractions.Errors.ConfigException("process is missing", "process"),
            rootlessEuid, held, warn);

    /// <summary>Step 6: startContainer hooks, after the exec fifo released the init; paths resolve in the container.</summary>
    internal static void RunStartContainerHooks(Spec spec, ContainerState state) =>
        HookRunner.Run(spec, HookPhase.StartContainer, state);

    /// <summary>
    /// Step 7 in the init: works for limits at or under the current hard ones. A config that
    /// raises a hard limit needs CAP_SYS_RESOURCE, which the init has given up by now (and never
    /// has in a user namespace); runc therefore sets them from the parent once the init reports
    /// ready: <c>Rlimits.Apply(spec.Process.Rlimits, initPid, new LibcProcessOps())</c>.
    /// </summary>
    internal void ApplyRlimits(Spec spec) => Rlimits.Apply(spec.Process?.Rlimits, 0, ops);

    public void Dispose()
    {
        rootfs?.Dispose();
        proc?.Dispose();
    }
}
