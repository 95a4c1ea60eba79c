using System.Text.Json.Serialization;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>
/// A compiled seccomp filter: the BPF program (struct sock_filter[], host byte order) and the
/// seccomp(2) flags to load it with. Plain data, so hull can compile it in the parent and hand it to
/// the init (or exec's process) in its bootstrap config: installing it needs neither libseccomp nor
/// /proc nor anything else on the host, only one syscall.
/// </summary>
public sealed record SeccompFilter
{
    [JsonPropertyName("program")] public required byte[] Program { get; init; }
    [JsonPropertyName("flags")] public required uint Flags { get; init; }

    /// <summary>Some rule is SCMP_ACT_NOTIFY: <see cref="Install"/> returns the listener fd, which the
    /// caller must pass on to linux.seccomp.listenerPath (see <see cref="SeccompListener"/>).</summary>
    [JsonIgnore] public bool HasListener => (Flags & SeccompNames.FilterFlag.NewListener) != 0;

    [JsonIgnore] public int InstructionCount => Program.Length / Bpf.InstructionSize;

    /// <summary>
    /// Loads the filter on the calling thread: call it on the thread that then calls execve, as the
    /// last step before execve (filters are per thread; execve keeps the caller's and ends every
    /// other thread). Returns the notify listener fd when <see cref="HasListener"/> (the kernel opens
    /// it O_CLOEXEC; close it once it is handed over), else -1.
    ///
    /// Needs no_new_privs set, or CAP_SYS_ADMIN in the effective set: when noNewPrivileges is false,
    /// install before the capabilities are dropped. Nothing here allocates or makes another syscall
    /// after seccomp(2) succeeds, so nothing of the runtime's can be caught by the filter.
    /// </summary>
    public int Install() => Install(SeccompKernel.Instance);

    internal int Install(ISeccompKernel kernel)
    {
        var wantsListener = HasListener;
        // A first seccomp(2) with a NULL program (EFAULT, nothing installed) binds the P/Invoke and its
        // errno path, which are lazy (dlsym on first call; JIT code when not AOT), so that the real
        // call needs nothing more once the filter is in.
        kernel.FilterFlagsSupported(Flags);
        var rc = kernel.SetModeFilter(Flags, Program);
        if (rc >= 0) return wantsListener ? rc : -1;
        throw new HullException(-rc switch
        {
            SeccompNative.EACCES =>
                "cannot install the seccomp filter: it needs no_new_privs or CAP_SYS_ADMIN (install it before dropping capabilities when noNewPrivileges is false)",
            SeccompNative.EBUSY =>
                "cannot install the seccomp filter: a filter with a notify listener is already installed on this process, and the kernel allows only one (SCMP_ACT_NOTIFY cannot be nested)",
            SeccompNative.ENOMEM =>
                "cannot install the seccomp filter: the kernel's limit on the total length of seccomp filters was reached",
            var errno =>
                $"cannot install the seccomp filter ({InstructionCount} instructions, flags 0x{Flags:x}): {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}",
        });
    }
}
