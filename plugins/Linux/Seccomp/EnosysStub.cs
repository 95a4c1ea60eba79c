namespace Hull.Plugins.Linux.Seccomp;

/// <summary>
/// A prefix for the filter that answers ENOSYS, instead of the default action, to syscalls newer
/// than every syscall the profile names (runc's patchbpf does the same). A profile that denies by
/// default (errno EPERM, kill) was written against some kernel; a syscall added later (clone3,
/// openat2, close_range ...) must look "not implemented" so that libc falls back to the old call,
/// rather than "forbidden", which programs treat as fatal.
/// </summary>
internal static class EnosysStub
{
    internal const uint AuditArchX86_64 = 0xC000_003E;
    internal const uint AuditArchS390 = 0x0000_0016;
    internal const uint AuditArchS390X = 0x8000_0016;
    /// <summary>x32 syscalls run under AUDIT_ARCH_X86_64 with this bit set in the number.</summary>
    internal const uint X32SyscallBit = 0x4000_0000;

    /// <summary>
    /// The largest syscall number the profile names for one AUDIT_ARCH. For x86_64 the x32 ABI shares
    /// the audit arch and is told apart by <see cref="X32SyscallBit"/>, so it has its own limit;
    /// a null limit means that ABI is not in the filter (its calls go straight to the filter).
    /// </summary>
    internal sealed record ArchLimit(uint AuditArch, uint? Max, uint? MaxX32 = null);

    /// <summary>The stub; its end falls into the filter that follows it. Empty when there is nothing to guard.</summary>
    internal static BpfInstruction[] Build(IReadOnlyList<ArchLimit> limits)
    {
        var guarded = limits.Where(l => l.Max is not null || l.MaxX32 is not null).ToList();
        if (guarded.Count == 0) return [];

        var asm = new BpfAssembler();
        var enosys = asm.NewLabel();
        var filter = asm.NewLabel();
        var sections = guarded.Select(_ => asm.NewLabel()).ToList();

        asm.LoadAbsolute(Bpf.OffsetArch);
        for (var i = 0; i < guarded.Count; i++)
            asm.JumpIf(Bpf.JeqK, guarded[i].AuditArch, sections[i]);
        asm.Jump(filter);

        for (var i = 0; i < guarded.Count; i++)
        {
            var limit = guarded[i];
            asm.Mark(sections[i]);
            asm.LoadAbsolute(Bpf.OffsetNr);
            // s390 multiplexes syscall numbers the kernel does not know onto 0 (the long-gone setup(2)).
            if (limit.AuditArch is AuditArchS390 or AuditArchS390X)
                asm.JumpIf(Bpf.JeqK, 0, enosys);
            if (limit.AuditArch == AuditArchX86_64 && limit.MaxX32 is not null)
            {
                var x32 = asm.NewLabel();
                asm.JumpIf(Bpf.JsetK, X32SyscallBit, x32);
                GuardAbove(asm, limit.Max, enosys, filter);
                asm.Mark(x32);
                GuardAbove(asm, limit.MaxX32, enosys, filter);
            }
            else if (limit.AuditArch == AuditArchX86_64)
            {
                // x32 is not in the filter: its calls are the filter's (bad-architecture) business.
                asm.JumpIf(Bpf.JsetK, X32SyscallBit, filter);
                GuardAbove(asm, limit.Max, enosys, filter);
            }
            else
            {
                GuardAbove(asm, limit.Max, enosys, filter);
            }
        }

        asm.Mark(enosys);
        asm.Return(SeccompNames.Ret.Errno | Interop.SeccompNative.ENOSYS);
        asm.Mark(filter);
        return asm.Assemble();
    }

    private static void GuardAbove(BpfAssembler asm, uint? max, BpfAssembler.Label enosys, BpfAssembler.Label filter)
    {
        if (max is { } m) asm.JumpIf(Bpf.JgtK, m, enosys);
        asm.Jump(filter);
    }
}
