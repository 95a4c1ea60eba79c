using System.Reflection;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Rootfs;
using Hull.Plugins.Linux.Seccomp;

namespace Hull.Plugins.Linux;

/// <summary>`hull features`: what this backend really implements (not what this host happens to have).</summary>
internal sealed partial class LinuxBackend
{
    /// <summary>Annotation keys: libseccomp's is the one runc and crun use; runc's checkpoint key is
    /// also crun's, for the clients that look for it; the others are hull's own.</summary>
    internal const string LibseccompVersionKey = "io.github.seccomp.libseccomp.version",
        CheckpointEnabledKey = "org.opencontainers.runc.checkpoint.enabled",
        VersionKey = "hull.version", CommitKey = "hull.commit";

    public override Features Features() => DescribeFeatures(SeccompSupport.Features(), SeccompCompiler.LibraryVersion,
        typeof(LinuxBackend).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
        checkpoint: Context.Checkpointer() is not null);

    /// <param name="seccomp">What the seccomp compiler supports with this host's libseccomp.</param>
    /// <param name="libseccompVersion">Asked only when seccomp is enabled (libseccomp loaded).</param>
    /// <param name="informationalVersion">"0.1.0+commit", as the build stamps the assembly.</param>
    /// <param name="checkpoint">A checkpoint plugin is loaded. As runc's, the claim is what hull can do, not
    /// whether this host has CRIU: checkpoint says so clearly when it has not.</param>
    internal static Features DescribeFeatures(SeccompFeatures seccomp, Func<string> libseccompVersion, string? informationalVersion,
        bool checkpoint)
    {
        var annotations = new Dictionary<string, string>();
        if (seccomp.Enabled == true) annotations[LibseccompVersionKey] = libseccompVersion();
        if (checkpoint) annotations[CheckpointEnabledKey] = "true";
        if (!string.IsNullOrEmpty(informationalVersion))
        {
            var plus = informationalVersion.IndexOf('+');
            annotations[VersionKey] = plus < 0 ? informationalVersion : informationalVersion[..plus];
            if (plus >= 0) annotations[CommitKey] = informationalVersion[(plus + 1)..];
        }
        var off = new EnabledFeature { Enabled = false };
        return new Features
        {
            // Configs from 1.0.0 on are read; 1.0.2-dev is the newest whose features hull implements (runc 1.1's).
            OciVersionMin = OciVersion.Min,
            OciVersionMax = OciVersion.Spec,
            // Every phase of Hooks/HookRunner (HookPhase follows OciNames.Hooks).
            Hooks = OciNames.Hooks,
            // The runc names hull's mount option parser turns into flags, propagation or attributes
            // rather than passing them on as filesystem data.
            MountOptions = [.. OciNames.MountOptions.Where(o => MountOptions.Parse([o]).Data.Length == 0)],
            Linux = new LinuxFeatures
            {
                Namespaces = OciNames.Namespaces,
                Capabilities = OciNames.Capabilities,
                Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = false, SystemdUser = false, Rdma = true },
                Seccomp = seccomp,
                // AppArmor profiles are applied (Security/LsmLabels); SELinux only as process
                // labels, mount labels are refused, so SELinux support is not claimed.
                Apparmor = new EnabledFeature { Enabled = true },
                Selinux = off,
                IntelRdt = new IntelRdtFeatures { Enabled = false },
                MountExtensions = new MountExtensionsFeatures { Idmap = off },
                NetDevices = off,
            },
            Annotations = annotations,
        };
    }
}
