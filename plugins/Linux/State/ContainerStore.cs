using System.Globalization;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;
using Hull.Plugins.Linux.Setup;
using Microsoft.Win32.SafeHandles;

namespace Hull.Plugins.Linux.State;

/// <summary>A container as read without its lock (state, list): its record and live status.</summary>
internal sealed record ContainerSnapshot(ContainerRecord Record, Status Status, string Directory)
{
    public ContainerState ToOciState(string owner = "") => Record.ToOciState(Status, owner);
}

/// <summary>
/// The state store: one directory per container under the root dir, holding state.json (written
/// atomically: temp file + rename), the config snapshot and the exec fifo.
/// Commands that change a container hold its lock (flock on its directory: a lock file was one
/// more inode to make and remove per container) for the change only,
/// never while waiting on the container's process, so concurrent commands on one container
/// serialize and readers never see a half-written file.
/// </summary>
internal sealed class ContainerStore
{
    internal const string StateFileName = "state.json";
    internal const string ConfigFileName = "config.json";
    internal const string ExecFifoFileName = "exec.fifo";

    /// <summary>Names no container id can have ('#'), so a half-made or half-removed container is never listed.</summary>
    const string NewDirPrefix = "#new.";
    const string DeletedDirPrefix = "#deleted.";

    readonly RootDirChoice rootChoice;
    readonly uint euid;

    internal ContainerStore(string root, IStatusProbe probe) : this(new RootDirChoice(root, false), probe, 0) { }

    internal ContainerStore(RootDirChoice root, IStatusProbe probe, uint euid)
    {
        rootChoice = root;
        this.euid = euid;
        Root = root.Path;
        Probe = probe;
    }

    /// <summary>
    /// The store for one hull command: the root dir from --root or the default rules (issue 6),
    /// live status read from /proc, the exec fifo and the container's freezer cgroup. The root dir
    /// is created (0700) by the first <see cref="Create"/>, not by readers.
    /// </summary>
    internal static ContainerStore ForCommand(string? rootOption)
    {
        var host = HostIdentity.Current();
        return new ContainerStore(RootDir.Resolve(rootOption, host), new SystemStatusProbe(new CgroupFreezerQuery()), host.Euid);
    }

    internal string Root { get; }
    internal IStatusProbe Probe { get; }

    internal string DirectoryOf(string id) => Path.Combine(Root, ContainerId.Validate(id));

    /// <summary>
    /// Reserves <paramref name="record"/>'s id: the container directory appears complete (state.json
    /// "creating", the config snapshot, the lock held by the returned handle) or not at all. The
    /// caller finishes create with <see cref="ContainerHandle.Save"/>, or calls
    /// <see cref="ContainerHandle.Destroy"/> when create fails, so nothing is left behind.
    /// </summary>
    internal ContainerHandle Create(ContainerRecord record, Spec config) =>
        Create(record, System.Text.Encoding.UTF8.GetBytes(OciJson.SerializeSpec(config)));

    /// <inheritdoc cref="Create(ContainerRecord, Spec)"/>
    /// <param name="configSnapshot">The bundle's config.json as read: kept as is, because serializing
    /// the parsed config again costs a serializer set-up of its own on create's path.</param>
    internal ContainerHandle Create(ContainerRecord record, byte[] configSnapshot)
    {
        var final = DirectoryOf(record.Id);
        RootDir.Ensure(rootChoice, euid);
        if (Directory.Exists(final)) throw new ContainerExistsException(record.Id);
        var temp = PrivateName(NewDirPrefix, record.Id);
        // 0711 as runc's: the container's init (maybe another uid) reaches the fifo inside by fd.
        try
        {
            Libc.Fs.MakeDirectory(temp, 0x1c9 /* 0711 */, $"creating the state directory for {record.Id}");
        }
        catch (SyscallException e) when (e.Errno == SyscallException.EACCES)
        {
            throw RootDir.PermissionDenied($"cannot create container {record.Id} in the root directory {Root}", euid);
        }
        SafeFileHandle? lockFile = null;
        try
        {
            lockFile = OpenLock(temp, "locking the new container");
            Flock(lockFile, Libc.Fs.LOCK_EX);
            record = record with
            {
                Status = Status.Creating,
                ExecFifoPath = record.ExecFifoPath ?? Path.Combine(final, ExecFifoFileName),
            };
            // Written in place: the directory is seen under the id only once complete (the rename below).
            WriteFile(Path.Combine(temp, StateFileName), ContainerRecordJson.Write(record));
            WriteFile(Path.Combine(temp, ConfigFileName), configSnapshot);
            try
            {
                Libc.Fs.Check(Libc.Fs.renameat2(Libc.Fs.AT_FDCWD, temp, Libc.Fs.AT_FDCWD, final, Libc.Fs.RENAME_NOREPLACE),
                    $"creating the state directory {final}");
            }
            catch (SyscallException e) when (e.Errno is SyscallException.EEXIST or 39 /* ENOTEMPTY */)
            {
                throw new ContainerExistsException(record.Id);
            }
            var handle = new ContainerHandle(this, final, lockFile, record, Status.Creating);
            lockFile = null;
            return handle;
        }
        finally
        {
            lockFile?.Dispose();
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// Takes the container's lock (waiting for another command to finish with it), then reads its
    /// record and live status. A container deleted while we waited is "does not exist".
    /// </summary>
    internal ContainerHandle Lock(string id)
    {
        var dir = DirectoryOf(id);
        while (true)
        {
            SafeFileHandle lockFile;
            try
            {
                lockFile = OpenLock(dir, $"opening the lock of container {id}");
            }
            catch (SyscallException e) when (e.Errno is SyscallException.ENOENT or SyscallException.ENOTDIR)
            {
                throw new ContainerNotFoundException(id);
            }
            try
            {
                Flock(lockFile, Libc.Fs.LOCK_EX);
                // The holder we waited for may have deleted the container: our lock is then no
                // longer the directory at the id's path, and the id is free (or taken by a new
                // container) — look again.
                if (!IsLockOf(lockFile, dir))
                {
                    lockFile.Dispose();
                    continue;
                }
                var record = ReadRecord(dir, id);
                // We hold the lock, so no create is running: a creating record is a failed create's.
                var status = StatusDerivation.Derive(record, Probe, creatorAlive: false);
                return new ContainerHandle(this, dir, lockFile, record, status);
            }
            catch
            {
                lockFile.Dispose();
                throw;
            }
        }
    }

    /// <summary>Locks, checks <paramref name="operation"/> against the table, runs it, and records
    /// the new status only if it succeeded: a refused or failed operation changes nothing.</summary>
    internal T Apply<T>(string id, Operation operation, Func<ContainerHandle, Transition, T> action)
    {
        using var handle = Lock(id);
        return Apply(handle, operation, action);
    }

    /// <inheritdoc cref="Apply{T}(string, Operation, Func{ContainerHandle, Transition, T})"/>
    /// <remarks>On a handle the caller holds already (run starts the container under create's lock).</remarks>
    internal static T Apply<T>(ContainerHandle handle, Operation operation, Func<ContainerHandle, Transition, T> action)
    {
        var transition = handle.Require(operation);
        var result = action(handle, transition);
        if (!transition.Removes && !handle.IsDestroyed && transition.To is { } to && to != handle.Record.Status)
            handle.Save(handle.Record with { Status = to });
        return result;
    }

    /// <summary>The record and live status without taking the lock (state, list): state.json is
    /// only ever replaced whole, so a reader sees the old or the new one.</summary>
    internal ContainerSnapshot Read(string id)
    {
        var dir = DirectoryOf(id);
        var record = ReadRecord(dir, id);
        return new ContainerSnapshot(record, StatusDerivation.Derive(record, Probe, CreatorAlive(dir, record)), dir);
    }

    /// <summary>Every container, by id. Entries that are not containers (or vanish meanwhile) are skipped.</summary>
    internal IReadOnlyList<ContainerSnapshot> List()
    {
        if (!Directory.Exists(Root)) return [];
        var result = new List<ContainerSnapshot>();
        foreach (var dir in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileName(dir);
            if (!ContainerId.IsValid(id)) continue;
            try
            {
                result.Add(Read(id));
            }
            catch (ContainerNotFoundException)
            {
                // Deleted while we listed.
            }
        }
        return result;
    }

    /// <summary>The config snapshot taken at create.</summary>
    internal Spec LoadConfig(string id) => OciJson.LoadConfig(Path.Combine(DirectoryOf(id), ConfigFileName));

    /// <summary>
    /// The config snapshot for running its hooks: parsed only when it has hooks at all, because a
    /// full parse sets up the whole serializer, a good part of a short `start` or `delete`.
    /// </summary>
    internal Spec LoadConfigForHooks(string id)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(Path.Combine(DirectoryOf(id), ConfigFileName)); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return LoadConfig(id); }
        return OciJson.HasTopLevelMember(bytes, "hooks") ? LoadConfig(id) : new Spec();
    }

    /// <summary>The owner `list` shows: the user owning the container's directory, or "#uid".</summary>
    internal static string OwnerOf(string directory)
    {
        var uid = Libc.Fs.Stat(Libc.Fs.AT_FDCWD, directory, $"stat {directory}").Uid;
        string? passwd = null;
        try { passwd = File.ReadAllText("/etc/passwd"); }
        catch (IOException) { }
        return (passwd is null ? null : UserDatabase.FindUser(passwd, uid)?.Name) ?? "#" + uid.ToString(CultureInfo.InvariantCulture);
    }

    internal void WriteRecord(string dir, ContainerRecord record) =>
        WriteAtomically(dir, StateFileName, ContainerRecordJson.Write(record));

    internal static void WriteConfig(string dir, Spec config) =>
        WriteAtomically(dir, ConfigFileName, System.Text.Encoding.UTF8.GetBytes(OciJson.SerializeSpec(config)));

    static ContainerRecord ReadRecord(string dir, string id)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path.Combine(dir, StateFileName));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ContainerNotFoundException(id);
        }
        try
        {
            return ContainerRecordJson.Read(bytes);
        }
        catch (JsonException e)
        {
            throw new HullException($"container \"{id}\": {Path.Combine(dir, StateFileName)} is damaged ({e.Message}): delete the container with --force");
        }
    }

    /// <summary>
    /// Removes a container's directory. It is renamed away first, in one step, so that the moment
    /// any command finds the container gone its id is free for a new create (a client may delete
    /// from two places at once, as podman's restart and conmon's exit command do, and then create)
    /// while the files are still being removed.
    /// </summary>
    internal void Remove(string dir, string id)
    {
        var doomed = PrivateName(DeletedDirPrefix, id);
        try
        {
            Libc.Fs.Check(Libc.Fs.renameat2(Libc.Fs.AT_FDCWD, dir, Libc.Fs.AT_FDCWD, doomed, Libc.Fs.RENAME_NOREPLACE),
                $"removing the state directory {dir}");
        }
        catch (SyscallException e) when (e.Errno == SyscallException.ENOENT)
        {
            return;
        }
        Directory.Delete(doomed, recursive: true);
    }

    /// <summary>A path in the root dir for a directory that is not (or no longer) a container's.</summary>
    string PrivateName(string prefix, string id) => Path.Combine(Root, string.Create(CultureInfo.InvariantCulture,
        $"{prefix}{id}.{Environment.ProcessId}.{Random.Shared.Next():x8}"));

    /// <summary>The container directory, opened to be locked (flock).</summary>
    static SafeFileHandle OpenLock(string dir, string what) =>
        Libc.Fs.Open(Libc.Fs.AT_FDCWD, dir, Libc.Fs.O_RDONLY | Libc.Fs.O_DIRECTORY | Libc.Fs.O_NOFOLLOW, 0, what);

    /// <summary>Whether <paramref name="lockFile"/> is still the directory at <paramref name="dir"/>.</summary>
    static bool IsLockOf(SafeFileHandle lockFile, string dir)
    {
        var held = Libc.Fs.Stat(Libc.Fs.Fd(lockFile), "", "checking the container's lock");
        Libc.Fs.Statx current;
        try
        {
            current = Libc.Fs.Stat(Libc.Fs.AT_FDCWD, dir, "checking the container's lock");
        }
        catch (SyscallException e) when (e.Errno is SyscallException.ENOENT or SyscallException.ENOTDIR)
        {
            return false;
        }
        return held.Ino == current.Ino && held.DevMajor == current.DevMajor && held.DevMinor == current.DevMinor;
    }

    /// <summary>Whether a `create` still holds the lock of a container recorded as creating.</summary>
    static bool CreatorAlive(string dir, ContainerRecord record)
    {
        if (record.Status != Status.Creating) return false;
        try
        {
            using var lockFile = OpenLock(dir, "opening the container's lock");
            return Libc.Fs.flock(Libc.Fs.Fd(lockFile), 1 /* LOCK_SH */ | Libc.Fs.LOCK_NB) != 0;
        }
        catch (SyscallException)
        {
            return false;
        }
    }

    /// <summary>Write a temp file beside the target, then rename over it: readers see all or nothing.</summary>
    static void WriteAtomically(string dir, string name, byte[] content)
    {
        var temp = Path.Combine(dir, name + ".tmp");
        WriteFile(temp, content);
        File.Move(temp, Path.Combine(dir, name), overwrite: true);
    }

    static void WriteFile(string path, byte[] content)
    {
        var fd = Libc.Fs.Open(Libc.Fs.AT_FDCWD, path, Libc.Fs.O_WRONLY | Libc.Fs.O_CREAT | Libc.Fs.O_TRUNC | Libc.Fs.O_NOFOLLOW, 0,
            $"writing {path}", mode: 0x180 /* 0600 */);
        using var stream = new FileStream(fd, FileAccess.Write);
        stream.Write(content);
    }

    static void Flock(SafeFileHandle handle, int operation)
    {
        int rc;
        do rc = Libc.Fs.flock(Libc.Fs.Fd(handle), operation);
        while (rc != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == SyscallException.EINTR);
        Libc.Fs.Check(rc, "locking the container");
    }
}

/// <summary>
/// A container under its lock. Dispose releases the lock. <see cref="Status"/> is the live status
/// derived when the lock was taken.
/// </summary>
internal sealed class ContainerHandle : IDisposable
{
    readonly ContainerStore store;
    readonly SafeFileHandle lockFile;
    ContainerRecord? unsaved;

    internal ContainerHandle(ContainerStore store, string directory, SafeFileHandle lockFile, ContainerRecord record, Status status)
    {
        this.store = store;
        this.lockFile = lockFile;
        Directory = directory;
        Record = record;
        Status = status;
    }

    internal string Directory { get; }
    internal ContainerRecord Record { get; private set; }
    internal Status Status { get; private set; }
    internal bool IsDestroyed { get; private set; }

    /// <summary>The allowed transition for <paramref name="operation"/>, or runc's refusal.</summary>
    internal Transition Require(Operation operation) => Lifecycle.Check(operation, Status, Record.Id);

    /// <summary>Re-reads the live status (e.g. after a signal or freeze).</summary>
    internal Status Refresh() => Status = StatusDerivation.Derive(Record, store.Probe, creatorAlive: false);

    /// <summary>Replaces state.json atomically; the new record's status becomes the handle's.</summary>
    internal void Save(ContainerRecord record)
    {
        if (record.Id != Record.Id) throw new ArgumentException("a container's id never changes", nameof(record));
        store.WriteRecord(Directory, record);
        unsaved = null;
        Record = record;
        // While create holds this handle, "creating" is the truth whatever the init is doing.
        Status = record.Status == Status.Creating ? Status.Creating : StatusDerivation.Derive(record, store.Probe, creatorAlive: false);
    }

    /// <summary>
    /// Makes <paramref name="record"/> the handle's without writing it yet: `run` starts the
    /// container under this lock at once, and start's save writes the record, one state write
    /// fewer on run's path. Until then readers see "creating", as at any moment of a create. The
    /// record is written when the lock is released at the latest (<see cref="Dispose"/>), so a
    /// failed start leaves what delete needs.
    /// </summary>
    internal void SaveWithNext(ContainerRecord record)
    {
        if (record.Id != Record.Id) throw new ArgumentException("a container's id never changes", nameof(record));
        unsaved = Record = record;
        Status = record.Status;
    }

    /// <summary>Replaces the config snapshot atomically: `update` keeps the resources it applied there,
    /// where the next update merges with them (runc keeps them in its state.json).</summary>
    internal void SaveConfig(Spec config) => ContainerStore.WriteConfig(Directory, config);

    /// <summary>Removes the container's directory (state, config, fifo). The lock stays held until Dispose.</summary>
    internal void Destroy()
    {
        if (IsDestroyed) return;
        store.Remove(Directory, Record.Id);
        IsDestroyed = true;
    }

    public void Dispose()
    {
        try
        {
            if (unsaved is { } record && !IsDestroyed) Save(record);
        }
        finally
        {
            lockFile.Dispose();
        }
    }
}
