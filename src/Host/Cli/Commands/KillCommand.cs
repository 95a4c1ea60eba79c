using System.CommandLine;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;
using Hull.Cli.Values;

namespace Hull.Cli.Commands;

internal static class KillCommand
{
    public static HullCommand Build(CliSession session) => new("kill", "kill sends the specified signal (default: SIGTERM) to the container's init process")
    {
        ArgsUsage = Operands.ContainerIdUsage + " [signal]",
        UsageNote = "Where \"<container-id>\" is the name of the container and \"[signal]\" is the signal to\n" +
            "send to its init process: a name with or without SIG, in any case (KILL, SIGTERM,\n" +
            "usr1), or a number.\n\n" +
            "EXAMPLE:\n" +
            "To send SIGKILL to the init process of the container \"ubuntu01\":\n\n" +
            "       # hull kill ubuntu01 KILL",
        Define = command =>
        {
            var all = Flags.Bool("--all", "send the specified signal to all processes inside the container", "-a");
            var id = Operands.ContainerId();
            var signal = new Argument<string?>("signal") { Arity = ArgumentArity.ZeroOrOne };
            command.Arguments.Add(id);
            command.Arguments.Add(signal);
            command.Options.Add(all);
            command.SetAction(result =>
            {
                var text = result.GetValue(signal);
                var number = text is null ? Signals.Term : Signals.Parse(text)
                    ?? throw new UsageException($"unknown signal \"{text}\": give a name such as KILL or SIGTERM, or a number from 0 to 64");
                session.Backend.Kill(new KillRequest(result.GetValue(id)!, number, result.GetValue(all)));
                return 0;
            });
        },
    };
}
