using System.Runtime.InteropServices;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Interop;
using Microsoft.Win32.SafeHandles;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>
/// Compiles linux.seccomp to a BPF program with Debian's libseccomp, then loads nothing: the result
/// is data (<see cref="SeccompFilter"/>) installed later with one seccomp(2) call.
///
/// Why libseccomp rather than a compiler of our own: the filter is only as right as its syscall
/// tables, and libseccomp carries them for every architecture, with the traps we would otherwise
/// re-learn (x32's number bit, socketcall/ipc multiplexing on x86 and s390, 32-bit argument halves,
/// per-ABI pseudo numbers). It is what runc and crun use, so the same profile yields the same
/// filter, and its SCMP_ACT_NOTIFY/API-level handling is tested against many kernels. The cost is
/// small: a ~130 KiB library already on every host that has runc, opened lazily through
/// [LibraryImport] (AOT-safe, nothing loaded by commands without seccomp), and a few milliseconds
/// to compile a Docker-sized profile. We use only its compiler (seccomp_export_bpf), not its
/// loader, so that installing is a single syscall we control (flags libseccomp 2.5 lacks, such as
/// WAIT_KILLABLE_RECV; no libseccomp call after the root switch) and so that we can prepend the
/// -ENOSYS stub (<see cref="EnosysStub"/>).
/// </summary>
public static class SeccompCompiler
{
    /// <summary>More rules than this get libseccomp's binary-tree layout (runc's threshold: 2.5.x
    /// misbehaves with the tree and no rules, and puts four syscalls per node).</summary>
    private const int BinaryTreeThreshold = 32;
    private const uint ApiLevelNotify = 5;
    private const uint Enosys = SeccompNative.ENOSYS;

    /// <summary>
    /// The filter for linux.seccomp, or null when the config asks for no seccomp (absent, or neither
    /// a default action nor rules, as runc). Throws ConfigException for a bad profile and
    /// HullException when libseccomp is missing or refuses it. Call it early (in hull's parent, or in
    /// the init before the root switch) so that errors reach the user before the container starts.
    /// Syscall names libseccomp does not know are skipped with a debug log, as runc does (profiles
    /// list syscalls newer than the library).
    /// </summary>
    public static SeccompFilter? Compile(LinuxSeccomp? config, IHullLog log) => Compile(config, log, SeccompKernel.Instance);

    internal static SeccompFilter? Compile(LinuxSeccomp? config, IHullLog log, ISeccompKernel kernel)
    {
        if (config is null || SeccompProfile.IsDisabled(config)) return null;
        var profile = SeccompProfile.Parse(config, kernel, log);
        try
        {
            return Build(profile, log);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new HullException("linux.seccomp needs libseccomp 2.5 or later (libseccomp.so.2): install the libseccomp2 package", e);
        }
    }

    private static SeccompFilter Build(SeccompProfile profile, IHullLog log)
    {
        if (profile.HasListener && LibSeccomp.seccomp_api_get() < ApiLevelNotify)
            throw new HullException($"SCMP_ACT_NOTIFY needs libseccomp 2.5 or later and Linux 5.0 or later (libseccomp {LibraryVersion()} reports API level {LibSeccomp.seccomp_api_get()})");

        var ctx = LibSeccomp.seccomp_init(profile.DefaultAction);
        if (ctx == 0) throw new HullException($"libseccomp {LibraryVersion()} refused the default action 0x{profile.DefaultAction:x8}");
        byte[] filter;
        List<uint> archTokens;
        try
        {
            archTokens = AddArchitectures(ctx, profile.Architectures);
            if (profile.Rules.Count > BinaryTreeThreshold && LibSeccomp.seccomp_attr_set(ctx, LibSeccomp.AttrOptimize, 2) < 0)
                log.Debug("seccomp: libseccomp has no binary-tree optimization; using a linear filter");
            AddRules(ctx, profile, log);
            filter = Export(ctx);
        }
        finally
        {
            LibSeccomp.seccomp_release(ctx);
        }

        var stub = NeedsEnosysStub(profile.DefaultAction) ? EnosysStub.Build(ArchLimits(archTokens, profile.Rules)) : [];
        var program = stub.Length == 0 ? filter : [.. Bpf.Encode(stub), .. filter];
        var instructions = program.Length / Bpf.InstructionSize;
        if (instructions > Bpf.MaxInstructions)
            throw new HullException($"linux.seccomp compiles to {instructions} BPF instructions; the kernel takes at most {Bpf.MaxInstructions}: shorten the profile");
        log.Debug($"seccomp: {profile.Rules.Count} rules compiled to {instructions} BPF instructions ({stub.Length} in the -ENOSYS stub), flags 0x{profile.Flags:x}");
        return new SeccompFilter { Program = program, Flags = profile.Flags };
    }

    /// <summary>The native architecture is always in a new filter; the listed ones are added to it.</summary>
    private static List<uint> AddArchitectures(nint ctx, IReadOnlyList<SeccompArchitecture> architectures)
    {
        var tokens = new List<uint> { LibSeccomp.seccomp_arch_native() };
        foreach (var arch in architectures)
        {
            var token = LibSeccomp.seccomp_arch_resolve_name(arch.LibseccompName);
            if (token == 0)
                throw new HullException($"seccomp architecture {arch.Name} is not supported by libseccomp {LibraryVersion()}: remove it from linux.seccomp.architectures");
            if (tokens.Contains(token)) continue;
            Check(LibSeccomp.seccomp_arch_add(ctx, token), $"adding seccomp architecture {arch.Name}");
            tokens.Add(token);
        }
        return tokens;
    }

    private static unsafe void AddRules(nint ctx, SeccompProfile profile, IHullLog log)
    {
        // At most six conditions per libseccomp rule: distinct argument indexes 0-5, or one each.
        var args = stackalloc LibSeccomp.ArgCmp[6];
        foreach (var rule in profile.Rules)
        {
            var nr = LibSeccomp.seccomp_syscall_resolve_name(rule.Name);
            if (nr == LibSeccomp.UnknownSyscall)
            {
                log.Debug($"seccomp: unknown syscall \"{rule.Name}\" ignored");
                continue;
            }
            // libseccomp refuses a rule that repeats the default action; it would change nothing.
            if (rule.Action == profile.DefaultAction) continue;

            foreach (var group in ConditionGroups(rule.Conditions))
            {
                for (var i = 0; i < group.Count; i++)
                    args[i] = new LibSeccomp.ArgCmp { Arg = group[i].Index, Op = group[i].Op, DatumA = group[i].DatumA, DatumB = group[i].DatumB };
                Check(LibSeccomp.seccomp_rule_add_array(ctx, rule.Action, nr, (uint)group.Count, args), $"adding the seccomp rule for syscall {rule.Name}");
            }
        }
    }

    /// <summary>
    /// The libseccomp rules one OCI rule becomes. Conditions on different arguments are ANDed in one
    /// rule. When one argument is compared more than once, libseccomp cannot AND them, so each
    /// condition becomes a rule of its own (ORed), which is what runc does with such profiles.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<SeccompCondition>> ConditionGroups(IReadOnlyList<SeccompCondition> conditions)
    {
        var repeated = conditions.GroupBy(c => c.Index).Any(g => g.Count() > 1);
        return repeated ? [.. conditions.Select(c => (IReadOnlyList<SeccompCondition>)[c])] : [conditions];
    }

    /// <summary>seccomp_export_bpf writes to an fd; a memfd needs no path and no reader thread.</summary>
    private static byte[] Export(nint ctx)
    {
        var fd = SeccompNative.memfd_create("hull-seccomp", SeccompNative.MFD_CLOEXEC);
        if (fd < 0) throw new HullException($"memfd_create for the seccomp filter: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        Check(LibSeccomp.seccomp_export_bpf(ctx, fd), "exporting the seccomp filter");
        var program = new byte[RandomAccess.GetLength(handle)];
        var read = 0;
        while (read < program.Length)
        {
            var n = RandomAccess.Read(handle, program.AsSpan(read), read);
            if (n == 0) throw new HullException("exporting the seccomp filter: the program was cut short");
            read += n;
        }
        return program;
    }

    /// <summary>Permissive defaults keep new syscalls working anyway (TRACE: a tracer handles -ENOSYS
    /// itself), and a default of errno ENOSYS already is the stub.</summary>
    private static bool NeedsEnosysStub(uint defaultAction) =>
        (defaultAction & SeccompNames.Ret.ActionMask) is not (SeccompNames.Ret.Allow or SeccompNames.Ret.Log or SeccompNames.Ret.Trace)
        && defaultAction != (SeccompNames.Ret.Errno | Enosys);

    /// <summary>Per AUDIT_ARCH, the largest syscall number any rule names (unknown and pseudo numbers
    /// left out); x32 shares x86_64's audit arch and gets its own limit.</summary>
    private static List<EnosysStub.ArchLimit> ArchLimits(IReadOnlyList<uint> tokens, IReadOnlyList<SeccompRule> rules)
    {
        var names = rules.Select(r => r.Name).Distinct().ToList();
        uint? Max(uint token)
        {
            var max = names.Select(n => LibSeccomp.seccomp_syscall_resolve_name_arch(token, n)).DefaultIfEmpty(-1).Max();
            return max > 0 ? (uint)max : null;
        }

        var x32 = LibSeccomp.seccomp_arch_resolve_name("x32");
        var limits = new Dictionary<uint, EnosysStub.ArchLimit>();
        foreach (var token in tokens)
        {
            var audit = token == x32 ? EnosysStub.AuditArchX86_64 : token;
            var limit = limits.GetValueOrDefault(audit) ?? new EnosysStub.ArchLimit(audit, null);
            limits[audit] = token == x32 ? limit with { MaxX32 = Max(token) } : limit with { Max = Max(token) };
        }
        return [.. limits.Values];
    }

    private static void Check(int rc, string what)
    {
        if (rc < 0) throw new HullException($"{what}: {Marshal.GetPInvokeErrorMessage(-rc)} (libseccomp {LibraryVersion()})");
    }

    internal static unsafe string LibraryVersion()
    {
        var v = LibSeccomp.seccomp_version();
        return v is null ? "unknown" : $"{v->Major}.{v->Minor}.{v->Micro}";
    }
}
