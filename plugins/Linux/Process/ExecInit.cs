using System.Text;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Security;
using Hull.Plugins.Linux.Setup;
using Hull.Plugins.Linux.Terminal;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// exec's process in hull-init, once bootstrap.c has joined every namespace of the container (and
/// hull has put it in the container's cgroup): runc's setns init, in its order — session keyring,
/// terminal, SELinux label, user and capabilities, AppArmor, cwd, rlimits, seccomp, execve. Failures go to hull over the channel, which closes (close-on-exec)
/// when execve succeeds.
/// </summary>
internal static class ExecInit
{
    public static int Run(SyncChannel channel, byte[] optionsJson)
    {
        var options = InitMessages.DecodeExec(optionsJson);
        var process = OciJson.ParseConfig(channel.Expect(SyncMessage.Spec, "hull")).Process
            ?? throw new HullException("hull sent no process to run");
        var labels = new LsmLabels(process.ApparmorProfile, process.SelinuxLabel);
        // The container's /proc: ProcFs checks it is a real procfs root and never crosses a mount
        // below it, so a container cannot divert the label writes.
        using var labelProc = labels.Any ? ProcFs.Open() : null;
        var ops = ContainerInit.Ops;

        if (!options.NoNewKeyring) SessionKeyring.Join(options.Id);
        if (process.Terminal)
        {
            using var pty = ContainerPty.Open("/", process.ConsoleSize);
            pty.SendMaster(channel);
            pty.BecomeStdio();
        }
        ContainerInit.RaiseHardLimits(process.Rlimits, ops);
        if (labelProc is not null) labels.ApplySelinux(labelProc);
        var lockdown = new ProcessLockdown(options.Seccomp, process, channel, ops);
        var user = new ProcessSetup(ops).Apply(process, options.RootlessEuid, lockdown.HeldCapabilities,
            warning => channel.Send(SyncMessage.Warning, warning));
        if (labelProc is not null) labels.ApplyAppArmor(labelProc);
        var env = ProcessSetup.WithHome(process.Env ?? [], user);
        ContainerInit.EnterCwd(process.Cwd);
        var executable = ExecutableLookup.Real.Find(process.Args![0], env);
        lockdown.Exec(executable, process.Args!, env, keepFds: 3 + options.PassedFds);
        return 1;
    }
}
