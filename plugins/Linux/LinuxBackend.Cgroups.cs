using Hull.Abstractions.Errors;
using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.State;
using Status = Hull.Plugins.Linux.State.Status;

namespace Hull.Plugins.Linux;

/// <summary>
/// pause, resume, update and events: the container-level side of the cgroup manager (Cgroups/), each
/// checked against the lifecycle table under the container's lock (events only reads).
/// </summary>
internal sealed partial class LinuxBackend
{
    public override void Pause(string id) =>
        Store.Apply(id, Operation.Pause, (handle, _) =>
        {
            OpenCgroup(handle.Record).Freeze();
            return 0;
        });

    public override void Resume(string id) =>
        Store.Apply(id, Operation.Resume, (handle, _) =>
        {
            OpenCgroup(handle.Record).Thaw();
            return 0;
        });

    /// <summary>
    /// The given values are checked, merged with the saved resources (the config snapshot's), written to the
    /// live cgroup and saved, so a later update merges with them. Device rules are never changed (runc).
    /// </summary>
    public override void Update(UpdateRequest request)
    {
        // hull manages no Intel RDT (resctrl) group, which is what runc says when RDT is off.
        if (!string.IsNullOrEmpty(request.L3CacheSchema))
            throw new HullException("Intel RDT/CAT: l3 cache schema is not enabled: hull does not manage Intel RDT (resctrl) groups; leave out --l3-cache-schema");
        if (!string.IsNullOrEmpty(request.MemBwSchema))
            throw new HullException("Intel RDT/MBA: memory bandwidth schema is not enabled: hull does not manage Intel RDT (resctrl) groups; leave out --mem-bw-schema");
        ResourceUpdates.Validate(request.Resources);
        foreach (var name in ResourceUpdates.Unapplied(request.Resources))
            Context.Log.Warn($"update does not change linux.resources.{name}: the value given is ignored");

        Store.Apply(request.Id, Operation.Update, (handle, _) =>
        {
            var config = Store.LoadConfig(request.Id);
            var saved = config.Linux?.Resources;
            var merged = ResourceUpdates.Merge(saved, request.Resources);
            ResourceUpdates.ValidateMerged(merged);
            var cgroup = OpenCgroup(handle.Record);
            try
            {
                cgroup.Set(merged with { Devices = null });
            }
            catch (HullException)
            {
                // As runc: write back what was in force, so a half-applied update does not stay half-applied.
                try { cgroup.Set((saved ?? new LinuxResources()) with { Devices = null }); }
                catch (HullException e) { Context.Log.Warn($"restoring the container's previous resources: {e.Message}"); }
                throw;
            }
            handle.SaveConfig(config with { Linux = (config.Linux ?? new Abstractions.Oci.Linux()) with { Resources = merged } });
            return 0;
        });
    }

    /// <summary>
    /// --stats: one stats event. Otherwise stats every interval and OOM notices as they come, until the
    /// container stops or the reader cancels. Nothing is locked: events only reads, as `state` does.
    /// </summary>
    public override IEnumerable<ContainerEvent> Events(EventsRequest request, CancellationToken cancellation)
    {
        var snapshot = Store.Read(request.Id);
        Lifecycle.Check(Operation.Events, snapshot.Status, request.Id);
        var record = snapshot.Record;
        var cgroup = OpenCgroup(record);
        if (request.StatsOnce) return [new ContainerEvent(EventStream.StatsType, record.Id, cgroup.GetStats())];

        var waiter = new ContainerEventWaiter(cgroup.OpenOomNotifier(), record.InitPid, cancellation);
        // Only now is the watched pid known to be our init (same start time), not a reused pid.
        if (!StatusDerivation.InitAlive(record, Store.Probe))
        {
            waiter.Dispose();
            return [];
        }
        return Stream(record.Id, request.Interval, cgroup, waiter);
    }

    IEnumerable<ContainerEvent> Stream(string id, TimeSpan interval, ICgroupManager cgroup, IEventWaiter waiter)
    {
        using (waiter)
        {
            foreach (var e in EventStream.Run(id, interval, cgroup.GetStats, waiter, Context.Log.Warn))
                yield return e;
        }
    }

    /// <summary>
    /// A process frozen by the v1 freezer acts on SIGKILL only once thawed, so a paused container sent
    /// SIGKILL (kill, delete --force) is thawed to let it die, as runc does. Other signals wait for resume.
    /// </summary>
    void ThawToDie(ContainerHandle handle)
    {
        if (handle.Status is Status.Paused or Status.Pausing) OpenCgroup(handle.Record).Thaw();
    }
}
