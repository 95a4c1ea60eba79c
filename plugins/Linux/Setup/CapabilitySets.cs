using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Setup;

/// <summary>The five capability sets as bit masks (bit n = capability number n).</summary>
internal readonly record struct CapabilitySets(ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient)
{
    /// <summary>
    /// Masks from the config's names, keeping only capabilities the running kernel has
    /// (0..<paramref name="lastCap"/>). Names that are unknown or beyond the kernel are returned
    /// in <paramref name="ignored"/> for runc's warning. A missing set is empty: in particular the
    /// inheritable set stays empty unless the config asks (CVE-2022-29162).
    /// </summary>
    internal static CapabilitySets From(LinuxCapabilities? caps, int lastCap, out IReadOnlyList<string> ignored)
    {
        var skipped = new SortedSet<string>(StringComparer.Ordinal);
        ulong Mask(IReadOnlyList<string>? names)
        {
            ulong mask = 0;
            foreach (var name in names ?? [])
            {
                var bit = Number(name);
                if (bit < 0 || bit > lastCap) skipped.Add(name);
                else mask |= 1UL << bit;
            }
            return mask;
        }
        var sets = new CapabilitySets(Mask(caps?.Bounding), Mask(caps?.Effective), Mask(caps?.Permitted), Mask(caps?.Inheritable), Mask(caps?.Ambient));
        ignored = [.. skipped];
        return sets;
    }

    /// <summary>The kernel's number for a CAP_* name, or -1.</summary>
    internal static int Number(string name)
    {
        for (var i = 0; i < OciNames.Capabilities.Count; i++)
            if (string.Equals(OciNames.Capabilities[i], name, StringComparison.Ordinal)) return i;
        return -1;
    }

    internal static IEnumerable<int> Bits(ulong mask, int lastCap)
    {
        for (var i = 0; i <= lastCap; i++)
            if ((mask & (1UL << i)) != 0) yield return i;
    }
}
