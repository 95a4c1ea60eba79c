using System.Globalization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Setup;

/// <summary>
/// hostname, domainname, sysctl and oomScoreAdj: the settings that belong to the container's
/// namespaces (or process), with runc's rules for which namespace each needs.
/// </summary>
internal static class KernelSettings
{
    /// <summary>IPC sysctls runc lets a container set in its own IPC namespace (plus fs.mqueue.*).</summary>
    static readonly HashSet<string> IpcSysctls = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    /// <summary>
    /// Refuses, before anything starts, what would change the host: a hostname or domainname
    /// without a new UTS namespace, a sysctl outside the namespace it belongs to (runc's checks
    /// and messages), and sysctl names that are not plain dotted names.
    /// </summary>
    internal static void Validate(Spec spec)
    {
        var ns = (spec.Linux?.Namespaces ?? []).ToLookup(n => n.Type);
        bool Own(string type) => ns[type].Any();
        if (!string.IsNullOrEmpty(spec.Hostname) && !Own("uts"))
            throw new ConfigException("unable to set hostname without a private UTS namespace", "hostname");
        if (!string.IsNullOrEmpty(spec.Domainname) && !Own("uts"))
            throw new ConfigException("unable to set domainname without a private UTS namespace", "domainname");
        foreach (var key in (spec.Linux?.Sysctl ?? new Dictionary<string, string>()).Keys)
        {
            var where = $"linux.sysctl[\"{key}\"]";
            if (key.Length == 0 || key.Split('.', '/').Any(p => p is "" or "." or ".."))
                throw new ConfigException($"sysctl \"{key}\" is not a valid name", where);
            if (IpcSysctls.Contains(key) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                if (!Own("ipc")) throw new ConfigException($"sysctl \"{key}\" is not allowed in the hosts ipc namespace", where);
                continue;
            }
            if (key.StartsWith("net.", StringComparison.Ordinal))
            {
                if (!Own("network")) throw new ConfigException($"sysctl \"{key}\" is not allowed in the hosts network namespace", where);
                continue;
            }
            if (Own("uts") && key == "kernel.domainname") continue;
            if (Own("uts") && key == "kernel.hostname")
                throw new ConfigException($"sysctl \"{key}\" is not allowed as it conflicts with the OCI \"hostname\" field", where);
            throw new ConfigException($"sysctl \"{key}\" is not in a separate kernel namespace", where);
        }
    }

    /// <summary>"net.ipv4.ip_forward" → "sys/net/ipv4/ip_forward" (runc replaces every dot; "/" is accepted as is).</summary>
    internal static string SysctlPath(string key) => "sys/" + key.Replace('.', '/');

    /// <summary>
    /// Applies them in runc's order: the loopback interface of a new network namespace up (runc's
    /// "loopback" network: a new namespace has `lo` down, and 127.0.0.1 would not answer), hostname,
    /// domainname, then sysctls (so a kernel.domainname sysctl wins), then oomScoreAdj — written only
    /// when it differs, since lowering it needs CAP_SYS_RESOURCE, which the parent may already have
    /// used to set it.
    /// </summary>
    internal static void Apply(Spec spec, ProcFs proc, IProcessOps ops)
    {
        Validate(spec);
        if ((spec.Linux?.Namespaces ?? []).Any(n => n.Type == "network" && string.IsNullOrEmpty(n.Path))) ops.BringLoopbackUp();
        if (!string.IsNullOrEmpty(spec.Hostname)) ops.SetHostname(spec.Hostname);
        if (!string.IsNullOrEmpty(spec.Domainname)) ops.SetDomainname(spec.Domainname);
        foreach (var (key, value) in spec.Linux?.Sysctl ?? new Dictionary<string, string>())
            proc.Write(SysctlPath(key), value);
        if (spec.Process?.OomScoreAdj is { } adj)
        {
            var wanted = adj.ToString(CultureInfo.InvariantCulture);
            if (proc.Read("self/oom_score_adj").Trim() != wanted) proc.Write("self/oom_score_adj", wanted);
        }
    }
}
