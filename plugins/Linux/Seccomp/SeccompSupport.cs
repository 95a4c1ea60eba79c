using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>What seccomp support this host has, for `hull features` (linux.seccomp of the features document).</summary>
public static class SeccompSupport
{
    public static SeccompFeatures Features() => Features(SeccompKernel.Instance);

    internal static SeccompFeatures Features(ISeccompKernel kernel)
    {
        List<string> archs;
        try
        {
            archs = [.. SeccompNames.Architectures.Where(a => LibSeccomp.seccomp_arch_resolve_name(a.Value) != 0).Select(a => a.Key).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Without libseccomp nothing can be compiled, as runc built without seccomp reports.
            return new SeccompFeatures { Enabled = false };
        }
        return new SeccompFeatures
        {
            Enabled = true,
            Actions = [.. SeccompNames.Actions.Keys.Order(StringComparer.Ordinal)],
            Operators = [.. SeccompNames.Operators.Keys.Order(StringComparer.Ordinal)],
            Archs = archs,
            KnownFlags = SeccompNames.FlagOrder,
            SupportedFlags = [.. SeccompNames.FlagOrder.Where(f => Supported(kernel, SeccompNames.Flags[f]))],
        };
    }

    /// <summary>TSYNC (bit 0 here) is accepted and ignored, so always supported; WAIT_KILLABLE_RECV
    /// is only accepted with a listener.</summary>
    private static bool Supported(ISeccompKernel kernel, uint bit) =>
        bit == 0 || kernel.FilterFlagsSupported(bit == SeccompNames.FilterFlag.WaitKillableRecv ? bit | SeccompNames.FilterFlag.NewListener : bit);
}
