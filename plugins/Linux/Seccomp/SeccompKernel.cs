using System.Runtime.InteropServices;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>The seccomp(2) calls, behind a seam so the compiler and installer logic test without root.</summary>
internal interface ISeccompKernel
{
    /// <summary>Whether this kernel accepts these SECCOMP_FILTER_FLAG_* bits together.</summary>
    bool FilterFlagsSupported(uint flags);

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER, flags, program) on the calling thread: the listener
    /// fd (NEW_LISTENER) or 0 on success, -errno on failure. Must not allocate.</summary>
    int SetModeFilter(uint flags, ReadOnlySpan<byte> program);
}

internal sealed unsafe class SeccompKernel : ISeccompKernel
{
    internal static readonly SeccompKernel Instance = new();

    /// <summary>
    /// The kernel checks the flags before it reads the program, so a NULL program answers EFAULT for
    /// flags it knows and EINVAL for flags it does not, without installing anything (libseccomp
    /// probes the same way).
    /// </summary>
    public bool FilterFlagsSupported(uint flags)
    {
        var rc = SeccompNative.syscall(SeccompNative.SYS_seccomp, (nint)SeccompNative.SECCOMP_SET_MODE_FILTER, (nint)flags, 0);
        return rc == -1 && Marshal.GetLastPInvokeError() == SeccompNative.EFAULT;
    }

    public int SetModeFilter(uint flags, ReadOnlySpan<byte> program)
    {
        fixed (byte* insns = program)
        {
            var prog = new SeccompNative.SockFprog { Len = (ushort)(program.Length / Bpf.InstructionSize), Filter = insns };
            var rc = SeccompNative.syscall(SeccompNative.SYS_seccomp, (nint)SeccompNative.SECCOMP_SET_MODE_FILTER, (nint)flags, (nint)(&prog));
            return rc == -1 ? -Marshal.GetLastPInvokeError() : (int)rc;
        }
    }
}
