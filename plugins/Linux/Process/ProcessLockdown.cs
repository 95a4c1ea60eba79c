using System.Buffers.Binary;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Seccomp;
using Hull.Plugins.Linux.Setup;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The last of the container process's set-up, shared by the init and exec's process: the exact
/// rlimits, then the seccomp filter (with the notify fd handed to hull), then execve, prepared
/// first so that nothing of the runtime's runs under the filter. Without no_new_privs the kernel
/// installs a filter only for a holder of CAP_SYS_ADMIN: if the process is not to keep it, it is
/// held (<see cref="HeldCapabilities"/>) through the user switch and dropped by one capset right
/// after the filter — the only syscall that then runs under it, where runc installs the filter
/// before its whole user and capability switch. The init with a notify listener applies all this
/// before it reports ready, while hull's `create` still listens for the fd (runc 1.1's order).
/// </summary>
internal sealed class ProcessLockdown
{
    const int CapSysAdmin = 21;

    readonly SeccompFilter? filter;
    readonly IReadOnlyList<PosixRlimit>? rlimits;
    readonly CapabilitySets final;
    readonly SyncChannel channel;
    readonly IProcessOps ops;
    readonly ISeccompKernel kernel;
    bool applied;

    public ProcessLockdown(SeccompFilter? filter, Abstractions.Oci.Process process, SyncChannel channel, IProcessOps ops, ISeccompKernel? kernel = null)
    {
        this.filter = filter;
        rlimits = process.Rlimits;
        final = CapabilitySets.From(process.Capabilities, ops.LastCap, out _);
        this.channel = channel;
        this.ops = ops;
        this.kernel = kernel ?? SeccompKernel.Instance;
        HeldCapabilities = filter is not null && !process.NoNewPrivileges && (final.Effective & (1UL << CapSysAdmin)) == 0
            ? 1UL << CapSysAdmin
            : 0;
    }

    /// <summary>What <see cref="ProcessSetup"/> must keep on top of the process's capabilities until <see cref="Apply"/>.</summary>
    public ulong HeldCapabilities { get; }

    /// <summary>Rlimits, the filter and the final capabilities, now, unless already done; hands a
    /// notify fd to hull.</summary>
    public void Apply()
    {
        if (applied) return;
        applied = true;
        Rlimits.Apply(rlimits, 0, ops);
        if (filter is null) return;
        var fd = filter.Install(kernel);
        if (HeldCapabilities != 0) ops.SetCapabilities(final.Effective, final.Permitted, final.Inheritable);
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
