using System.Runtime.InteropServices;

namespace Hull.Plugins.Linux.Interop;

/// <summary>
/// Debian's libseccomp2 (libseccomp.so.2, 2.5.x) through source-generated P/Invoke. The library is
/// opened lazily on the first call, so commands that never compile a filter never load it.
/// Every function here returns a negative errno on failure (not -1 + errno).
/// </summary>
internal static unsafe partial class LibSeccomp
{
    private const string Library = "libseccomp.so.2";

    /// <summary>What resolve_name returns for a name the library does not know (__NR_SCMP_ERROR).</summary>
    internal const int UnknownSyscall = -1;

    // enum scmp_filter_attr
    internal const int AttrOptimize = 8; // SCMP_FLTATR_CTL_OPTIMIZE: 2 = binary tree of syscalls

    // enum scmp_compare
    internal const int CmpNe = 1, CmpLt = 2, CmpLe = 3, CmpEq = 4, CmpGe = 5, CmpGt = 6, CmpMaskedEq = 7;

    [StructLayout(LayoutKind.Sequential)]
    internal struct ArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Version
    {
        public uint Major, Minor, Micro;
    }

    [LibraryImport(Library)]
    internal static partial nint seccomp_init(uint defaultAction);

    [LibraryImport(Library)]
    internal static partial void seccomp_release(nint ctx);

    [LibraryImport(Library)]
    internal static partial int seccomp_arch_add(nint ctx, uint archToken);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint seccomp_arch_resolve_name(string name);

    [LibraryImport(Library)]
    internal static partial uint seccomp_arch_native();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int seccomp_syscall_resolve_name(string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int seccomp_syscall_resolve_name_arch(uint archToken, string name);

    [LibraryImport(Library)]
    internal static partial int seccomp_rule_add_array(nint ctx, uint action, int syscall, uint argCount, ArgCmp* args);

    [LibraryImport(Library)]
    internal static partial int seccomp_attr_set(nint ctx, int attr, uint value);

    [LibraryImport(Library)]
    internal static partial int seccomp_export_bpf(nint ctx, int fd);

    [LibraryImport(Library)]
    internal static partial Version* seccomp_version();

    [LibraryImport(Library)]
    internal static partial uint seccomp_api_get();
}
