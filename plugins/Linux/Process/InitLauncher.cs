using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>The fds a new init gets: 0-2 as hull's, then <see cref="Passed"/> fds at 3.. (LISTEN_FDS and
/// --preserve-fds), then the sync socket and the binary being exec'd (which bootstrap.c closes at
/// once, with everything above the socket). The exec fifo comes later, attached to the init's options.</summary>
internal sealed record InitFds(int Passed)
{
    public int SyncTarget => 3 + Passed;
    public int BinaryTarget => 3 + Passed + 1;
}

/// <summary>
/// hull-init spawned and waiting in its C bootstrap for the bootstrap data: spawned first, so that
/// its exec and dynamic loading overlap what hull does before it knows that data. When started
/// <see cref="InBackground"/>, <see cref="Pid"/> and <see cref="Channel"/> wait for the spawn.
/// </summary>
internal sealed class SpawnedInit
{
    readonly Thread? spawner;
    int pid;
    SyncChannel? channel;
    ExceptionDispatchInfo? failure;
    bool reaped;

    internal SpawnedInit(int pid, SyncChannel channel)
    {
        this.pid = pid;
        this.channel = channel;
    }

    SpawnedInit(Func<SpawnedInit> spawn)
    {
        // posix_spawn returns only once the child has exec'd (vfork): about 1 ms of a `run`,
        // which hull's own work (the bundle, checks, state dir, cgroups) now overlaps. Only this
        // thread waits: the child has its own copy of the fd table and signal handlers.
        spawner = new Thread(() =>
        {
            try
            {
                var done = spawn();
                (pid, channel) = (done.pid, done.channel);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, maxStackSize: 256 * 1024) { IsBackground = true, Name = "hull-init spawn" };
        spawner.Start();
    }

    /// <summary>Spawns on a thread of its own (see the constructor); errors surface at first use.</summary>
    internal static SpawnedInit InBackground(Func<SpawnedInit> spawn) => new(spawn);

    public int Pid => Spawned().pid;
    public SyncChannel Channel => Spawned().channel!;

    SpawnedInit Spawned()
    {
        spawner?.Join();
        failure?.Throw();
        return this;
    }

    internal void Reap()
    {
        ProcessWaiter.Reap(Pid);
        reaped = true;
    }

    /// <summary>Kills and reaps it unless that was done (its pid may be another process's by then),
    /// and closes the channel: a failed create or exec leaves no process. A spawn that failed left nothing.</summary>
    public void Abort()
    {
        spawner?.Join();
        if (failure is not null) return;
        if (!reaped)
        {
            Libc.kill(Pid, Libc.SIGKILL);
            Reap();
        }
        Channel.Dispose();
    }
}

/// <summary>A started container init: its host pid and the channel to it, until it reports ready.</summary>
internal sealed class InitProcess(int pid, SyncChannel channel) : IDisposable
{
    public int Pid { get; } = pid;
    public SyncChannel Channel { get; } = channel;

    /// <summary>Kills the init (if it got that far) and reaps it: a failed create leaves no process.</summary>
    public void Abort()
    {
        Libc.kill(Pid, Libc.SIGKILL);
        ProcessWaiter.Reap(Pid);
    }

    public void Dispose() => Channel.Dispose();
}

/// <summary>
/// Starts hull-init (sealed, with posix_spawn: no managed code runs in the child) and drives the C
/// bootstrap: cgroup placement before any namespace exists, uid/gid maps, and the init's pid.
/// </summary>
internal static unsafe class InitLauncher
{
    /// <summary>Spawns hull-init and drives its bootstrap (see <see cref="Bootstrap"/>).</summary>
    public static InitProcess Launch(BootstrapData boot, InitFds fds, Action<int> writeUserMaps, Action<int>? placeInCgroup) =>
        Bootstrap(Spawn(fds), boot, writeUserMaps, placeInCgroup);

    /// <summary>Sends a spawned hull-init its bootstrap data and serves it until it reports the
    /// container init's pid. On failure the spawned process is aborted.</summary>
    /// <param name="placeInCgroup">When set, puts the bootstrap process in the container's cgroup
    /// before it unshares anything, so that a new cgroup namespace is rooted there.</param>
    public static InitProcess Bootstrap(SpawnedInit spawned, BootstrapData boot, Action<int> writeUserMaps, Action<int>? placeInCgroup)
    {
        var stage0 = spawned.Pid;
        var channel = spawned.Channel;
        try
        {
            placeInCgroup?.Invoke(stage0);
            channel.Send(SyncMessage.BootData, boot.Encode());
            while (true)
            {
                var frame = channel.Receive() ?? throw new HullException("unable to start container process: the init exited during namespace setup");
                switch (frame.Type)
                {
                    case SyncMessage.UsermapRequest:
                        writeUserMaps(stage0);
                        channel.Send(SyncMessage.UsermapAck);
                        break;
                    case SyncMessage.InitPid:
                        var pid = BitConverter.ToInt32(frame.Payload);
                        spawned.Reap();
                        return new InitProcess(pid, channel);
                    case SyncMessage.Error:
                        throw new HullException("unable to start container process: " + System.Text.Encoding.UTF8.GetString(frame.Payload));
                    default:
                        throw new HullException($"the container's init sent {frame.Type} during namespace setup");
                }
            }
        }
        catch
        {
            spawned.Abort();
            throw;
        }
    }

    /// <summary>Starts hull-init, which waits in its C bootstrap for <see cref="Bootstrap"/>.</summary>
    public static SpawnedInit Spawn(InitFds fds)
    {
        var binary = InitBinary.OpenSealed(InitBinary.Locate());
        int* pair = stackalloc int[2];
        Libc.Check(Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair), "socketpair");
        // Lift the child's fds above every target number first, so no dup2 below clobbers a source.
        var above = fds.BinaryTarget + 1;
        var childSock = MoveAbove(pair[1], above);
        binary = MoveAbove(binary, above);
        for (var fd = 3; fd < 3 + fds.Passed; fd++)
            Libc.Check(Libc.fcntl(fd, Libc.F_SETFD, 0), $"passing fd {fd}");

        var actions = NativeMemory.AllocZeroed(1024);
        var attr = NativeMemory.AllocZeroed(1024);
        Libc.SigSet all, none;
        Libc.sigfillset(&all);
        Libc.sigemptyset(&none);
        using var path = new NativeStrings([$"/proc/self/fd/{fds.BinaryTarget}"]);
        using var argv = new NativeStrings([InitBinary.FileName]);
        using var envp = new NativeStrings([$"_HULL_INIT_FD={fds.SyncTarget}"]);
        try
        {
            Libc.posix_spawn_file_actions_init(actions);
            Libc.posix_spawn_file_actions_adddup2(actions, childSock, fds.SyncTarget);
            Libc.posix_spawn_file_actions_adddup2(actions, binary, fds.BinaryTarget);
            // Whatever else hull inherited without close-on-exec (a caller's pipe) must not reach
            // the init: it would hold the caller's pipe open for the container's whole life.
            Libc.posix_spawn_file_actions_addclosefrom_np(actions, fds.BinaryTarget + 1);
            Libc.posix_spawnattr_init(attr);
            // hull's ignored signals (SIGPIPE) and blocked mask must not leak into the container.
            Libc.posix_spawnattr_setflags(attr, Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK);
            Libc.posix_spawnattr_setsigdefault(attr, &all);
            Libc.posix_spawnattr_setsigmask(attr, &none);
            int pid;
            var err = Libc.posix_spawn(&pid, path[0], actions, attr, argv.Pointers, envp.Pointers);
            if (err != 0) throw new HullException($"starting {InitBinary.FileName}: {Libc.Describe(err)}");
            return new SpawnedInit(pid, new SyncChannel(pair[0]));
        }
        catch
        {
            Libc.close(pair[0]);
            throw;
        }
        finally
        {
            Libc.posix_spawn_file_actions_destroy(actions);
            Libc.posix_spawnattr_destroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            Libc.close(childSock);
            Libc.close(binary);
        }
    }

    static int MoveAbove(int fd, int min)
    {
        var moved = Libc.Check(Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, min), "fcntl(F_DUPFD_CLOEXEC)");
        Libc.close(fd);
        return moved;
    }
}
