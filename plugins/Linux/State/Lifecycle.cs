using Hull.Abstractions.Errors;

namespace Hull.Plugins.Linux.State;

/// <summary>What a command asks of a container; each has its row in <see cref="Lifecycle"/>.</summary>
internal enum Operation
{
    Start,
    Kill,
    Pause,
    Resume,
    Exec,
    /// <summary>delete without --force: only a stopped or created container (runc kills a created one).</summary>
    Delete,
    ForceDelete,
    Checkpoint,
    Update,
    Events,
    Ps,
}

/// <summary>
/// One allowed move: <see cref="Operation"/> from <see cref="From"/> leaves the container in
/// <see cref="To"/> (null: unchanged, or ended by the operation itself, e.g. a fatal signal), or
/// removes it.
/// </summary>
internal readonly record struct Transition(Operation Operation, Status From, Status? To, bool Removes = false);

/// <summary>
/// The state machine: an explicit table of which operation is allowed from which status, and the
/// refusal (worded as runc's, since clients match on some of them, e.g. containerd on
/// "container not running") for everything else. Callers check before doing anything, so a
/// refused or failed operation changes nothing.
/// </summary>
internal static class Lifecycle
{
    const Status Creating = Status.Creating, Created = Status.Created, Running = Status.Running,
        Pausing = Status.Pausing, Paused = Status.Paused, Stopped = Status.Stopped;

    /// <summary>Every allowed (operation, from) pair. Anything not listed is refused.</summary>
    internal static IReadOnlyList<Transition> Table { get; } =
    [
        new(Operation.Start, Created, Running),

        // A signal does not move the state itself; a fatal one ends the init and status reads stopped.
        new(Operation.Kill, Creating, null),
        new(Operation.Kill, Created, null),
        new(Operation.Kill, Running, null),
        new(Operation.Kill, Pausing, null),
        new(Operation.Kill, Paused, null),

        new(Operation.Pause, Created, Paused),
        new(Operation.Pause, Running, Paused),
        new(Operation.Pause, Pausing, Paused),

        // A container paused before start resumes as created: status is re-derived (exec fifo).
        new(Operation.Resume, Pausing, Running),
        new(Operation.Resume, Paused, Running),

        new(Operation.Exec, Created, null),
        new(Operation.Exec, Running, null),

        new(Operation.Delete, Stopped, null, Removes: true),
        new(Operation.Delete, Created, null, Removes: true),

        new(Operation.ForceDelete, Creating, null, Removes: true),
        new(Operation.ForceDelete, Created, null, Removes: true),
        new(Operation.ForceDelete, Running, null, Removes: true),
        new(Operation.ForceDelete, Pausing, null, Removes: true),
        new(Operation.ForceDelete, Paused, null, Removes: true),
        new(Operation.ForceDelete, Stopped, null, Removes: true),

        // CRIU dumps a running or frozen tree; the container is stopped after (unless --leave-running).
        new(Operation.Checkpoint, Running, Stopped),
        new(Operation.Checkpoint, Paused, Stopped),

        new(Operation.Update, Created, null),
        new(Operation.Update, Running, null),
        new(Operation.Update, Pausing, null),
        new(Operation.Update, Paused, null),

        new(Operation.Events, Created, null),
        new(Operation.Events, Running, null),
        new(Operation.Events, Pausing, null),
        new(Operation.Events, Paused, null),

        // ps of a stopped container prints an empty table, as runc's.
        new(Operation.Ps, Creating, null),
        new(Operation.Ps, Created, null),
        new(Operation.Ps, Running, null),
        new(Operation.Ps, Pausing, null),
        new(Operation.Ps, Paused, null),
        new(Operation.Ps, Stopped, null),
    ];

    // A scan of the table, not an index: every command looks up one transition or two, and
    // building a frozen dictionary cost more than all the lookups of a short command.
    static Transition? Find(Operation operation, Status from)
    {
        foreach (var t in Table)
            if (t.Operation == operation && t.From == from) return t;
        return null;
    }

    internal static bool IsAllowed(Operation operation, Status from) => Find(operation, from) is not null;

    /// <summary>The transition for this operation from <paramref name="current"/>, or runc's refusal.</summary>
    internal static Transition Check(Operation operation, Status current, string id) =>
        Find(operation, current) ?? throw Refusal(operation, current, id);

    static OperationNotAllowedException Refusal(Operation operation, Status current, string id)
    {
        var status = current.ToOci();
        var message = operation switch
        {
            Operation.Start when current == Running => "cannot start an already running container",
            Operation.Start when current == Stopped => "cannot start a container that has stopped",
            Operation.Start => $"cannot start a container in the {status} state",
            Operation.Kill or Operation.Pause or Operation.Update => "container not running",
            Operation.Resume => "container not paused",
            Operation.Exec => $"cannot exec in a {status} container",
            Operation.Delete => $"cannot delete container {id} that is not stopped: {status}",
            Operation.Checkpoint => $"Container cannot be checkpointed in {status} state",
            Operation.Events => $"container with id {id} is not running",
            _ => $"cannot {operation.ToString().ToLowerInvariant()} container {id}: it is {status}",
        };
        return new OperationNotAllowedException(id, operation, current, message);
    }
}

/// <summary>The operation is not allowed in the container's current status; nothing was changed.</summary>
internal sealed class OperationNotAllowedException(string id, Operation operation, Status status, string message)
    : HullException(message)
{
    public string Id { get; } = id;
    public Operation Operation { get; } = operation;
    public Status Status { get; } = status;
}
