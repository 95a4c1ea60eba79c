using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Setup;

namespace Hull.Plugins.Linux.Security;

/// <summary>
/// The process's AppArmor profile and SELinux label (process.apparmorProfile, process.selinuxLabel,
/// exec --apparmor/--process-label) and the config's mount label: refused up front, clearly, when
/// the LSM that would apply them is not active; otherwise written for the next execve — only
/// through a verified procfs (<see cref="ProcFs"/>), so that a /proc planted by the container
/// cannot swallow the write and leave the process unconfined (CVE-2019-16884).
/// </summary>
internal sealed record LsmLabels(string? AppArmorProfile, string? SelinuxLabel)
{
    public bool Any => !string.IsNullOrEmpty(AppArmorProfile) || !string.IsNullOrEmpty(SelinuxLabel);

    /// <summary>Checks, before anything starts, that every label asked for can be applied.</summary>
    /// <param name="where">How the user set them, for the message ("process.apparmorProfile", "--apparmor").</param>
    public void Validate(ILsmHost host, string? mountLabel, (string AppArmor, string Selinux) where)
    {
        if (!string.IsNullOrEmpty(AppArmorProfile))
        {
            if (!host.AppArmorEnabled)
                throw new ConfigException($"{where.AppArmor} asks for the AppArmor profile \"{AppArmorProfile}\", but AppArmor is not enabled on this host: remove the profile, or run on a host with AppArmor");
            if (host.AppArmorProfileLoaded(AppArmorProfile) == false)
                throw new ConfigException($"{where.AppArmor} asks for the AppArmor profile \"{AppArmorProfile}\", which is not loaded: load it with apparmor_parser first");
        }
        if (!string.IsNullOrEmpty(SelinuxLabel) && !host.SelinuxEnabled)
            throw new ConfigException($"selinux label is specified in config, but selinux is disabled or not supported: remove {where.Selinux} \"{SelinuxLabel}\", or run on a host with SELinux enabled");
        if (!string.IsNullOrEmpty(mountLabel))
        {
            if (!host.SelinuxEnabled)
                throw new ConfigException($"linux.mountLabel \"{mountLabel}\" is set, but selinux is disabled or not supported: remove it, or run on a host with SELinux enabled");
            throw new ConfigException($"linux.mountLabel \"{mountLabel}\" is set, but hull does not label mounts yet: remove it (the process label still applies)");
        }
    }

    /// <summary>
    /// runc's order: the SELinux label before the seccomp filter and the capability drop (it is
    /// the label execve will switch to, /proc/thread-self/attr/exec).
    /// </summary>
    public void ApplySelinux(ProcFs proc)
    {
        if (string.IsNullOrEmpty(SelinuxLabel)) return;
        Write(proc, "attr/exec", SelinuxLabel, $"setting the SELinux exec label \"{SelinuxLabel}\"");
    }

    /// <summary>After the user and capabilities are final, as runc: the profile applies at execve
    /// (AppArmor's change_onexec; attr/apparmor/exec on kernels with LSM stacking, else attr/exec).</summary>
    public void ApplyAppArmor(ProcFs proc)
    {
        if (string.IsNullOrEmpty(AppArmorProfile)) return;
        var what = $"applying the AppArmor profile \"{AppArmorProfile}\"";
        try
        {
            proc.Write("thread-self/attr/apparmor/exec", "exec " + AppArmorProfile);
        }
        catch (SyscallException e) when (e.Errno == SyscallException.ENOENT)
        {
            // A kernel without LSM stacking has only the shared attr/exec.
            Write(proc, "attr/exec", "exec " + AppArmorProfile, what);
        }
        catch (HullException e)
        {
            throw new HullException($"{what}: {e.Message}");
        }
    }

    static void Write(ProcFs proc, string attr, string value, string what)
    {
        try
        {
            proc.Write("thread-self/" + attr, value);
        }
        catch (HullException e)
        {
            throw new HullException($"{what}: {e.Message}");
        }
    }
}
