namespace Hull.Plugins.Linux.Cgroups;

/// <summary>Writes resource values into one cgroup directory; every failure names the resource and the reason.</summary>
internal readonly struct ResourceWriter(ICgroupFs fs, string dir)
{
    public string Dir => dir;

    public void Write(string file, string value, string resource) => TryWrite(file, value, resource, tolerated: 0);

    /// <summary>
    /// Like Write, but returns false instead of failing when the kernel answers with errno
    /// <paramref name="tolerated"/>, for writes whose order has to be retried (cpu periods, memory limits).
    /// </summary>
    public bool TryWrite(string file, string value, string resource, int tolerated)
    {
        try
        {
            fs.WriteFile(Path.Combine(dir, file), value);
            return true;
        }
        catch (CgroupFsException e) when (tolerated != 0 && e.Errno == tolerated)
        {
            return false;
        }
        catch (CgroupFsException e) when (e.IsNotFound)
        {
            throw new CgroupException($"cannot apply {resource}: this host's kernel has no {file} (looked in {dir})", e);
        }
        catch (CgroupFsException e)
        {
            throw new CgroupException($"cannot apply {resource} = {value}: {e.Message}", e);
        }
    }

    public void Write(string file, long value, string resource) => Write(file, Text(value), resource);

    public void Write(string file, ulong value, string resource) => Write(file, Text(value), resource);

    public bool Has(string file) => fs.FileExists(Path.Combine(dir, file));

    public string? Read(string file) => fs.TryRead(Path.Combine(dir, file));

    public static string Text(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Text(ulong v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An rdma.max line (same in v1 and v2): "mlx4_0 hca_handle=2 hca_object=2000", either limit optional.</summary>
    public static string RdmaLine(string device, Hull.Abstractions.Oci.LinuxRdma limit)
    {
        var text = device;
        if (limit.HcaHandles is { } h) text += " hca_handle=" + Text(h);
        if (limit.HcaObjects is { } o) text += " hca_object=" + Text(o);
        return text;
    }
}
