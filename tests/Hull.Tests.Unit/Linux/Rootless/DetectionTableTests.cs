using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.State;
using Xunit;

namespace Hull.Tests.Unit.Linux.Rootless;

/// <summary>
/// Issue 6's detection table, every cell: euid (0 / 1000) × initial user namespace or not ×
/// --rootless (auto / true / false) × USER (unset / root / alice) × XDG_RUNTIME_DIR (set / unset /
/// empty). Each cell checks all three outcomes together — RootlessEUID, RootlessCgroups, the
/// root dir — and the state file's "rootless", so that no input leaks into an outcome it must
/// not decide (--rootless never moves the root dir; USER and XDG_RUNTIME_DIR never change a fact).
/// </summary>
public class DetectionTableTests
{
    const string Xdg = "/run/user/1000";

    public sealed record Cell(uint Euid, bool InitialUserNs, RootlessMode Mode, string? User, string? XdgRuntimeDir,
        bool RootlessEuid, bool RootlessCgroups, string RootDir)
    {
        public override string ToString() =>
            $"euid={Euid} {(InitialUserNs ? "initial-ns" : "in-userns")} --rootless={Mode} USER={User ?? "unset"} XDG={XdgRuntimeDir ?? "unset"}";
    }

    /// <summary>The expected outcomes, written from the issue's sentences one by one.</summary>
    public static TheoryData<Cell> Cells()
    {
        var data = new TheoryData<Cell>();
        foreach (var euid in new uint[] { 0, 1000 })
            foreach (var initial in new[] { true, false })
                foreach (var mode in new[] { RootlessMode.Auto, RootlessMode.True, RootlessMode.False })
                    foreach (var user in new[] { null, "root", "alice" })
                        foreach (var xdg in new[] { Xdg, null, "" })
                        {
                            // "RootlessEUID: Hull runs with euid != 0 in its user namespace."
                            var rootlessEuid = euid != 0;
                            // "--rootless sets only RootlessCgroups (auto = the detection): false when euid
                            // == 0 in the initial user namespace; true otherwise."
                            var rootlessCgroups = mode switch
                            {
                                RootlessMode.True => true,
                                RootlessMode.False => false,
                                _ => !(euid == 0 && initial),
                            };
                            // "$XDG_RUNTIME_DIR/hull when RootlessEUID. euid 0 in the initial namespace
                            // ignores it; euid 0 in a user namespace honours it only if USER is set and not root."
                            var xdgSet = !string.IsNullOrEmpty(xdg);
                            var honoured = xdgSet && (rootlessEuid || (!initial && !string.IsNullOrEmpty(user) && user != "root"));
                            data.Add(new Cell(euid, initial, mode, user, xdg, rootlessEuid, rootlessCgroups, honoured ? Xdg + "/hull" : "/run/hull"));
                        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void EveryCell(Cell cell)
    {
        var host = new HostIdentity(cell.Euid, cell.InitialUserNs, cell.XdgRuntimeDir, cell.User);
        var facts = RootlessFacts.Decide(host, cell.Mode);
        Assert.Equal(cell.RootlessEuid, facts.RootlessEuid);
        Assert.Equal(cell.RootlessCgroups, facts.RootlessCgroups);
        Assert.Equal(cell.RootDir, RootDir.Resolve(null, host).Path);
        // --root always wins, whatever the cell.
        Assert.Equal("/var/lib/hull-test", RootDir.Resolve("/var/lib/hull-test", host).Path);

        // "state shows rootless: true only when both are true (and keep the two facts)."
        var record = new ContainerRecord
        {
            Id = "c",
            Bundle = "/b",
            Rootfs = "/b/rootfs",
            RootlessEuid = facts.RootlessEuid,
            RootlessCgroups = facts.RootlessCgroups,
        };
        var json = System.Text.Encoding.UTF8.GetString(ContainerRecordJson.Write(record));
        Assert.Contains($"\"rootlessEuid\":{(cell.RootlessEuid ? "true" : "false")}", json);
        Assert.Contains($"\"rootlessCgroups\":{(cell.RootlessCgroups ? "true" : "false")}", json);
        Assert.Contains($"\"rootless\":{(cell.RootlessEuid && cell.RootlessCgroups ? "true" : "false")}", json);
        // runc's `state` output has no rootless field; only its state.json on disk has.
        Assert.DoesNotContain("rootless", Hull.Abstractions.Oci.OciJson.SerializeState(record.ToOciState(Status.Running)));
    }
}
