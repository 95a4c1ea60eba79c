using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>Directory-level operations shared by the v1 and v2 managers.</summary>
internal static class CgroupTree
{
    public const string Procs = "cgroup.procs";

    /// <summary>
    /// mkdir -p; returns the directories it made, deepest last, so a failed Apply can remove exactly those.
    /// </summary>
    public static List<string> CreateAll(ICgroupFs fs, string path)
    {
        var created = new List<string>();
        try
        {
            Create(fs, path, created);
        }
        catch
        {
            RemoveCreated(fs, created);
            throw;
        }
        return created;
    }

    /// <summary>mkdir first, and up the tree only when the parent is missing: one syscall per
    /// hierarchy in the usual case (a container's cgroup under an existing parent). After the
    /// parents, one more try only: a parent that vanished again (or a dangling link) is an error.</summary>
    static void Create(ICgroupFs fs, string dir, List<string> created, bool makeParents = true)
    {
        try
        {
            fs.CreateDirectory(dir);
            created.Add(dir);
        }
        catch (CgroupFsException e) when (e.Errno == CgroupNative.EEXIST)
        {
        }
        catch (CgroupFsException e) when (e.Errno == CgroupNative.ENOENT && makeParents && Path.GetDirectoryName(dir) is { Length: > 1 } parent)
        {
            Create(fs, parent, created);
            Create(fs, dir, created, makeParents: false);
        }
    }

    /// <summary>Best-effort undo of <see cref="CreateAll"/> after a later failure.</summary>
    public static void RemoveCreated(ICgroupFs fs, List<string> created)
    {
        for (var i = created.Count - 1; i >= 0; i--)
            try { fs.RemoveDirectory(created[i]); } catch (CgroupFsException) { }
    }

    /// <summary>
    /// Writes a pid to cgroup.procs. EINVAL can mean the task is still being set up (TASK_NEW), so it is
    /// retried a few times as runc does.
    /// </summary>
    public static void EnterPid(ICgroupFs fs, string dir, int pid)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                fs.WriteFile(Path.Combine(dir, Procs), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return;
            }
            catch (CgroupFsException e) when (e.Errno == CgroupNative.EINVAL && attempt < 4)
            {
                Thread.Sleep(30);
            }
        }
    }

    /// <summary>Pids of a cgroup and all its sub-cgroups.</summary>
    public static List<int> AllPids(ICgroupFs fs, string dir)
    {
        var pids = new List<int>();
        Collect(dir);
        return pids;

        void Collect(string d)
        {
            pids.AddRange(fs.ReadPids(Path.Combine(d, Procs)));
            foreach (var sub in fs.SubDirectories(d)) Collect(sub);
        }
    }

    /// <summary>
    /// Removes a cgroup and its sub-cgroups, deepest first. EBUSY (processes still exiting) is retried with
    /// a doubling delay, about a second in all; a cgroup that is already gone is fine.
    /// </summary>
    public static void Remove(ICgroupFs fs, string dir)
    {
        if (TryRmdir(fs, dir, retryBusy: false)) return;
        foreach (var sub in fs.SubDirectories(dir)) Remove(fs, sub);
        TryRmdir(fs, dir, retryBusy: true, throwOnFailure: true);
    }

    static bool TryRmdir(ICgroupFs fs, string dir, bool retryBusy, bool throwOnFailure = false)
    {
        var delay = 1;
        for (var tries = 10; ; tries--)
        {
            try
            {
                fs.RemoveDirectory(dir);
                return true;
            }
            catch (CgroupFsException e) when (e.IsNotFound)
            {
                return true;
            }
            catch (CgroupFsException e) when (e.Errno == CgroupNative.EBUSY && retryBusy && tries > 0)
            {
                Thread.Sleep(delay);
                delay *= 2;
            }
            catch (CgroupFsException) when (!throwOnFailure)
            {
                return false;
            }
        }
    }

    /// <summary>Destroys every distinct path and reports the ones that could not be removed in one error.</summary>
    public static void RemoveAll(ICgroupFs fs, IEnumerable<string> dirs)
    {
        var failures = new List<string>();
        foreach (var dir in dirs.Distinct())
        {
            try { Remove(fs, dir); }
            catch (CgroupFsException e) { failures.Add(e.Message); }
        }
        if (failures.Count > 0)
            throw new CgroupException("failed to remove the container's cgroups: " + string.Join("; ", failures));
    }

    /// <summary>SIGKILL each pid; a process that already exited is fine.</summary>
    public static void KillEach(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            if (CgroupNative.Kill(pid, 9) == 0) continue;
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != CgroupNative.ESRCH)
                throw new CgroupException($"cannot kill process {pid}: {CgroupNative.ErrorText(errno)}");
        }
    }
}
