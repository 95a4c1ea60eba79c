using System.Globalization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

internal static class ExecCommand
{
    /// <summary>runc's exit status when exec itself fails, so it is not mistaken for the process's.</summary>
    public const int FailureExitCode = 255;

    public static HullCommand Build(CliSession session) => new("exec", "execute new process inside the container")
    {
        ArgsUsage = "<container-id> <command> [command options]  || -p process.json <container-id>",
        UsageNote = "Where \"<container-id>\" is the name of the container and \"<command>\" is the command\n" +
            "to run in it. \"<command>\" can be left out only with -p. Flags go before the\n" +
            "container id: everything after it belongs to the command.\n\n" +
            "EXAMPLE:\n" +
            "To list the processes of a container from inside it:\n\n" +
            "       # hull exec <container-id> ps",
        FirstOperandEndsFlags = true,
        Define = command =>
        {
            var consoleSocket = Flags.Text("--console-socket", LaunchFlags.ConsoleSocketDescription);
            var cwd = Flags.Text("--cwd", "current working directory in the container");
            var env = Flags.List("--env", "set environment variables", "-e");
            var tty = Flags.Bool("--tty", "allocate a pseudo-TTY", "-t");
            var user = Flags.Text("--user", "UID (format: <uid>[:<gid>])", "-u");
            var additionalGids = Flags.ParsedList("--additional-gids", "additional gids",
                t => uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var gid) ? gid : (uint?)null, "a numeric gid", "-g");
            var process = Flags.Text("--process", "path to the process.json", "-p");
            var detach = Flags.Bool("--detach", LaunchFlags.DetachDescription, "-d");
            var pidFile = Flags.Text("--pid-file", LaunchFlags.PidFileDescription);
            var processLabel = Flags.Text("--process-label", "set the asm process label for the process commonly used with selinux");
            var apparmor = Flags.Text("--apparmor", "set the apparmor profile for the process");
            var noNewPrivs = Flags.Bool("--no-new-privs", "set the no new privileges value for the process");
            var cap = Flags.List("--cap", "add a capability to the bounding set for the process", "-c");
            var preserveFds = LaunchFlags.PreserveFdsFlag();
            var cgroup = Flags.List("--cgroup", "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.");
            var ignorePaused = Flags.Bool("--ignore-paused", "allow exec in a paused container");
            var id = Operands.ContainerId();
            var args = Operands.Rest("command");

            foreach (var option in new System.CommandLine.Option[] { consoleSocket, cwd, env, tty, user, additionalGids, process, detach, pidFile, processLabel, apparmor, noNewPrivs, cap, preserveFds, cgroup, ignorePaused })
                command.Options.Add(option);
            command.Arguments.Add(id);
            command.Arguments.Add(args);

            command.SetAction(result =>
            {
                var processFile = LaunchFlags.OptionalPath(result.GetValue(process), session);
                var processArgs = result.GetValue(args) ?? [];
                if (processFile is null && processArgs.Length == 0)
                    throw new UsageException("exec needs the command to run after the container id, or a process.json given with --process");
                var request = new ExecRequest(result.GetValue(id)!)
                {
                    ProcessFile = processFile,
                    Args = processArgs,
                    Tty = result.GetValue(tty),
                    ConsoleSocket = LaunchFlags.OptionalPath(result.GetValue(consoleSocket), session),
                    Detach = result.GetValue(detach),
                    PidFile = LaunchFlags.OptionalPath(result.GetValue(pidFile), session),
                    Cwd = result.GetValue(cwd),
                    Env = result.GetValue(env) ?? [],
                    User = CheckUser(result.GetValue(user)),
                    AdditionalGids = result.GetValue(additionalGids) ?? [],
                    Capabilities = result.GetValue(cap) ?? [],
                    NoNewPrivileges = result.GetValue(noNewPrivs),
                    AppArmorProfile = result.GetValue(apparmor),
                    ProcessLabel = result.GetValue(processLabel),
                    PreserveFds = result.GetValue(preserveFds),
                    Cgroups = result.GetValue(cgroup) ?? [],
                    IgnorePaused = result.GetValue(ignorePaused),
                };
                var backend = session.Backend;
                try
                {
                    return backend.Exec(request);
                }
                catch (Exception e) when (e is not (Abstractions.Errors.PlatformNotSupportedException or CommandNotProvidedException or UsageException))
                {
                    // As runc: a failed exec exits 255 with "exec failed: ...", unless it was refused before anything ran.
                    throw new ExecFailedException(e);
                }
            });
        },
    };

    /// <summary>--user is numeric "uid[:gid]", as runc takes it.</summary>
    private static string? CheckUser(string? user)
    {
        if (string.IsNullOrEmpty(user))
            return null;
        var parts = user.Split(':');
        if (parts.Length > 2 || parts.Any(p => !uint.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw new UsageException($"invalid --user \"{user}\": expected <uid>[:<gid>] as numbers");
        return user;
    }

    private sealed class ExecFailedException(Exception inner) : HullException("exec failed: " + inner.Message, inner)
    {
        public override int ExitCode => FailureExitCode;
    }
}
