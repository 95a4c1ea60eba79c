using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>
/// The OCI seccomp vocabulary (the names of libseccomp's seccomp.h, as config.json spells them) and
/// what each maps to. One table serves the compiler and `hull features`.
/// </summary>
internal static class SeccompNames
{
    /// <summary>Kernel SECCOMP_RET_* values, which are also libseccomp's SCMP_ACT_* values.</summary>
    internal static class Ret
    {
        internal const uint KillProcess = 0x8000_0000;
        internal const uint KillThread = 0x0000_0000;
        internal const uint Trap = 0x0003_0000;
        internal const uint Errno = 0x0005_0000;
        internal const uint Notify = 0x7fc0_0000;
        internal const uint Trace = 0x7ff0_0000;
        internal const uint Log = 0x7ffc_0000;
        internal const uint Allow = 0x7fff_0000;
        internal const uint ActionMask = 0xffff_0000;
        internal const uint DataMask = 0x0000_ffff;
    }

    /// <summary>SECCOMP_FILTER_FLAG_* bits of seccomp(2).</summary>
    internal static class FilterFlag
    {
        internal const uint Tsync = 1;
        internal const uint Log = 2;
        internal const uint SpecAllow = 4;
        internal const uint NewListener = 8;
        internal const uint WaitKillableRecv = 32;
    }

    internal const string FlagTsync = "SECCOMP_FILTER_FLAG_TSYNC";
    internal const string FlagLog = "SECCOMP_FILTER_FLAG_LOG";
    internal const string FlagSpecAllow = "SECCOMP_FILTER_FLAG_SPEC_ALLOW";
    internal const string FlagWaitKillableRecv = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";

    /// <summary>Action name → SECCOMP_RET_* base value (errno/trace take their data separately).
    /// SCMP_ACT_KILL is KILL_THREAD, as in libseccomp and runc.</summary>
    internal static readonly IReadOnlyDictionary<string, uint> Actions = new Dictionary<string, uint>(StringComparer.Ordinal)
    {
        ["SCMP_ACT_KILL"] = Ret.KillThread,
        ["SCMP_ACT_KILL_THREAD"] = Ret.KillThread,
        ["SCMP_ACT_KILL_PROCESS"] = Ret.KillProcess,
        ["SCMP_ACT_TRAP"] = Ret.Trap,
        ["SCMP_ACT_ERRNO"] = Ret.Errno,
        ["SCMP_ACT_TRACE"] = Ret.Trace,
        ["SCMP_ACT_ALLOW"] = Ret.Allow,
        ["SCMP_ACT_LOG"] = Ret.Log,
        ["SCMP_ACT_NOTIFY"] = Ret.Notify,
    };

    internal static readonly IReadOnlyDictionary<string, int> Operators = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["SCMP_CMP_NE"] = LibSeccomp.CmpNe,
        ["SCMP_CMP_LT"] = LibSeccomp.CmpLt,
        ["SCMP_CMP_LE"] = LibSeccomp.CmpLe,
        ["SCMP_CMP_EQ"] = LibSeccomp.CmpEq,
        ["SCMP_CMP_GE"] = LibSeccomp.CmpGe,
        ["SCMP_CMP_GT"] = LibSeccomp.CmpGt,
        ["SCMP_CMP_MASKED_EQ"] = LibSeccomp.CmpMaskedEq,
    };

    /// <summary>OCI architecture → libseccomp's name for it (seccomp_arch_resolve_name). Which of
    /// them work depends on the installed libseccomp (loongarch64, m68k, sh need 2.6).</summary>
    internal static readonly IReadOnlyDictionary<string, string> Architectures = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SCMP_ARCH_X86"] = "x86",
        ["SCMP_ARCH_X86_64"] = "x86_64",
        ["SCMP_ARCH_X32"] = "x32",
        ["SCMP_ARCH_ARM"] = "arm",
        ["SCMP_ARCH_AARCH64"] = "aarch64",
        ["SCMP_ARCH_MIPS"] = "mips",
        ["SCMP_ARCH_MIPS64"] = "mips64",
        ["SCMP_ARCH_MIPS64N32"] = "mips64n32",
        ["SCMP_ARCH_MIPSEL"] = "mipsel",
        ["SCMP_ARCH_MIPSEL64"] = "mipsel64",
        ["SCMP_ARCH_MIPSEL64N32"] = "mipsel64n32",
        ["SCMP_ARCH_PPC"] = "ppc",
        ["SCMP_ARCH_PPC64"] = "ppc64",
        ["SCMP_ARCH_PPC64LE"] = "ppc64le",
        ["SCMP_ARCH_S390"] = "s390",
        ["SCMP_ARCH_S390X"] = "s390x",
        ["SCMP_ARCH_PARISC"] = "parisc",
        ["SCMP_ARCH_PARISC64"] = "parisc64",
        ["SCMP_ARCH_RISCV64"] = "riscv64",
        ["SCMP_ARCH_LOONGARCH64"] = "loongarch64",
        ["SCMP_ARCH_M68K"] = "m68k",
        ["SCMP_ARCH_SH"] = "sh",
        ["SCMP_ARCH_SHEB"] = "sheb",
    };

    /// <summary>The flags config.json may name → seccomp(2) bit. TSYNC is accepted and ignored, as
    /// runc does: the filter goes on the thread that calls execve, and execve ends every other thread.</summary>
    internal static readonly IReadOnlyDictionary<string, uint> Flags = new Dictionary<string, uint>(StringComparer.Ordinal)
    {
        [FlagTsync] = 0,
        [FlagSpecAllow] = FilterFlag.SpecAllow,
        [FlagLog] = FilterFlag.Log,
        [FlagWaitKillableRecv] = FilterFlag.WaitKillableRecv,
    };

    /// <summary>The flags in the order `runc features` lists them (runc 1.2 knows the first three).</summary>
    internal static readonly IReadOnlyList<string> FlagOrder = [FlagTsync, FlagSpecAllow, FlagLog, FlagWaitKillableRecv];

    internal static string Known(IEnumerable<string> names) => string.Join(", ", names.Order(StringComparer.Ordinal));
}
