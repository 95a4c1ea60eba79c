using System.Buffers.Binary;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Seccomp;
using Hull.Plugins.Linux.Setup;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The last of the container process's set-up, shared by the init and exec's process: the exact
/// rlimits, then the seccomp filter (with the notify fd handed to hull), then execve — in the
/// place Seccomp/README.md gives the filter:
/// <list type="bullet">
/// <item>no_new_privs off and CAP_SYS_ADMIN not kept: the kernel wants CAP_SYS_ADMIN to install a
/// filter, so before the capabilities are dropped (<see cref="BeforeCapabilityDrop"/>, runc's order);</item>
/// <item>otherwise right before execve, with execve prepared first (<see cref="Exec"/>), so that
/// nothing of the runtime's runs under the filter — except for the init with a notify listener,
/// which hands the fd over before it reports ready, while hull's `create` still listens
/// (<see cref="Apply"/>, runc 1.1's order).</item>
/// </list>
/// </summary>
internal sealed class ProcessLockdown
{
    const int CapSysAdmin = 21;

    readonly SeccompFilter? filter;
    readonly IReadOnlyList<PosixRlimit>? rlimits;
    readonly SyncChannel channel;
    readonly IProcessOps ops;
    readonly ISeccompKernel kernel;
    readonly bool early;
    bool applied;

    public ProcessLockdown(SeccompFilter? filter, Abstractions.Oci.Process process, SyncChannel channel, IProcessOps ops, ISeccompKernel? kernel = null)
    {
        this.filter = filter;
        rlimits = process.Rlimits;
        this.channel = channel;
        this.ops = ops;
        this.kernel = kernel ?? SeccompKernel.Instance;
        early = InstallsBeforeCapabilityDrop(filter is not null, process, ops.LastCap);
    }

    /// <summary>The filter goes in before the capability drop (see the class remarks).</summary>
    public bool InstallsEarly => early;

    /// <summary>Whether the filter must go in while the capabilities are still all there.</summary>
    internal static bool InstallsBeforeCapabilityDrop(bool hasFilter, Abstractions.Oci.Process process, int lastCap) =>
        hasFilter && !process.NoNewPrivileges
        && (CapabilitySets.From(process.Capabilities, lastCap, out _).Effective & (1UL << CapSysAdmin)) == 0;

    /// <summary>The hook <see cref="ProcessSetup"/> calls with every capability still held.</summary>
    public void BeforeCapabilityDrop()
    {
        if (early) Apply();
    }

    /// <summary>Rlimits and the filter, now, unless already done; hands a notify fd to hull.</summary>
    public void Apply()
    {
        if (applied) return;
        applied = true;
        Rlimits.Apply(rlimits, 0, ops);
        if (filter is null) return;
        var fd = filter.Install(kernel);
        if (fd < 0) return;
        // write, read and close are all that run between the filter and execve (or ready); the
        // compiler refuses SCMP_ACT_NOTIFY on them.
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(number, fd);
        channel.Send(SyncMessage.SeccompFd, number);
        channel.Expect(SyncMessage.SeccompDone, "hull");
        Libc.close(fd);
    }

    /// <summary>execve, prepared first so that the filter (if not in yet) is the last thing before
    /// it. Returns only by throwing.</summary>
    public void Exec(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, int keepFds)
    {
        using var exec = Process.Exec.Prepare(path, args, env, keepFds);
        Apply();
        exec.Run();
    }
}
