using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

/// <summary>The commands that take only a container id: start, state, pause, resume.</summary>
internal static class SimpleCommands
{
    public static HullCommand Start(CliSession session) => Build(session, "start",
        "executes the user defined process in a created container",
        "The start command runs the process of a created container (the process that\n`create` prepared from config.json's process section).",
        (backend, id) => backend.Start(id));

    public static HullCommand State(CliSession session) => Build(session, "state",
        "output the state of a container",
        "The state command prints the state of a container as the OCI runtime-spec's state JSON.",
        (backend, id) => session.Out.Write(OciJson.SerializeState(backend.State(id))));

    public static HullCommand Pause(CliSession session) => Build(session, "pause",
        "pause suspends all processes inside the container",
        "The pause command freezes every process of the container.\n\nUse hull list to see the containers and their status.",
        (backend, id) => backend.Pause(id));

    public static HullCommand Resume(CliSession session) => Build(session, "resume",
        "resumes all processes that have been previously paused",
        "The resume command thaws every process of a paused container.\n\nUse hull list to see the containers and their status.",
        (backend, id) => backend.Resume(id));

    private static HullCommand Build(CliSession session, string name, string summary, string description, Action<IPlatformBackend, string> run) =>
        new(name, summary)
        {
            ArgsUsage = Operands.ContainerIdUsage,
            UsageNote = Operands.ContainerIdNote,
            LongDescription = description,
            Define = command =>
            {
                var id = Operands.ContainerId();
                command.Arguments.Add(id);
                command.SetAction(result =>
                {
                    run(session.Backend, result.GetValue(id)!);
                    return 0;
                });
            },
        };
}
