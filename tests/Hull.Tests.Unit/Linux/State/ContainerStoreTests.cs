using System.Globalization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.State;
using Xunit;

namespace Hull.Tests.Unit.Linux.State;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContainerStoreTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("hull-store-").FullName;
    readonly FakeProbe probe = new();
    readonly ContainerStore store;

    public ContainerStoreTests() => store = new ContainerStore(root, probe);

    public void Dispose() => Directory.Delete(root, recursive: true);

    static readonly Spec Config = new() { OciVersion = "1.2.0", Hostname = "box" };

    static ContainerRecord NewRecord(string id) => new()
    {
        Id = id,
        OciVersion = "1.2.0",
        Bundle = "/bundles/" + id,
        Rootfs = "/bundles/" + id + "/rootfs",
        Created = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
        Annotations = new Dictionary<string, string> { ["n"] = "0" },
    };

    ContainerRecord Started(string id)
    {
        using var h = store.Create(NewRecord(id), Config);
        probe.Processes[4000] = new ProcessStat('S', 77);
        probe.Files.Add(h.Record.ExecFifoPath!);
        h.Save(h.Record with { Status = Status.Created, InitPid = 4000, InitStartTime = 77 });
        return h.Record;
    }

    [Fact]
    public void SaveConfigReplacesTheSnapshotWhole()
    {
        Started("c1");
        using (var h = store.Lock("c1"))
            h.SaveConfig(Config with { Linux = new Abstractions.Oci.Linux { Resources = new LinuxResources { Pids = new LinuxPids { Limit = 7 } } } });
        var saved = store.LoadConfig("c1");
        Assert.Equal("box", saved.Hostname);
        Assert.Equal(7, saved.Linux!.Resources!.Pids!.Limit);
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "c1"), "*.tmp"));
    }

    [Fact]
    public void TheConfigSnapshotIsKeptAsReadAndParsedForHooksOnlyWhenItHasThem()
    {
        const string withoutHooks = """{"ociVersion":"1.0.2","hostname":"plain"}""";
        using (store.Create(NewRecord("c1"), System.Text.Encoding.UTF8.GetBytes(withoutHooks))) { }
        Assert.Equal(withoutHooks, File.ReadAllText(Path.Combine(root, "c1", ContainerStore.ConfigFileName)));
        // No hooks: an empty config, not the parsed one (whose hostname would show).
        Assert.Null(store.LoadConfigForHooks("c1").Hostname);

        using (store.Create(NewRecord("c2"), Config with { Hooks = new Abstractions.Oci.Hooks { Poststop = [new Hook { Path = "/bin/true" }] } })) { }
        Assert.Equal("/bin/true", store.LoadConfigForHooks("c2").Hooks!.Poststop![0].Path);
    }

    [Fact]
    public void ARecordSavedWithTheNextStepIsWrittenByThatStepOrWhenTheLockIsReleased()
    {
        probe.Processes[4000] = new ProcessStat('S', 77);
        using (var h = store.Create(NewRecord("run"), Config))
        {
            // run: the created record rides with start's save, one write fewer.
            h.SaveWithNext(h.Record with { Status = Status.Created, InitPid = 4000, InitStartTime = 77 });
            Assert.Equal(Status.Created, h.Status);
            Assert.Equal(0, store.Read("run").Record.InitPid);
            Assert.Equal(Status.Creating, store.Read("run").Status);
            h.Save(h.Record with { Status = Status.Running });
            Assert.Equal(4000, store.Read("run").Record.InitPid);
        }
        Assert.Equal(Status.Running, store.Read("run").Status);

        // A start that failed: the record is written when the lock goes, so delete finds the init and its cgroups.
        using (var h = store.Create(NewRecord("failed"), Config))
        {
            probe.Files.Add(h.Record.ExecFifoPath!);
            h.SaveWithNext(h.Record with { Status = Status.Created, InitPid = 4000, InitStartTime = 77 });
        }
        var snapshot = store.Read("failed");
        Assert.Equal((4000, Status.Created), (snapshot.Record.InitPid, snapshot.Status));

        // Deleted under that lock: nothing is written back into the removed directory.
        using (var h = store.Create(NewRecord("deleted"), Config))
        {
            h.SaveWithNext(h.Record with { Status = Status.Created, InitPid = 4000, InitStartTime = 77 });
            h.Destroy();
        }
        Assert.False(Directory.Exists(Path.Combine(root, "deleted")));
        Assert.Equal(["failed", "run"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CreateMakesAPrivateLockedDirectoryWithStateAndConfig()
    {
        using (var h = store.Create(NewRecord("c1"), Config))
        {
            Assert.Equal(Status.Creating, h.Status);
            Assert.Equal(Path.Combine(root, "c1", "exec.fifo"), h.Record.ExecFifoPath);
            // While create holds the lock, readers see "creating".
            Assert.Equal(Status.Creating, store.Read("c1").Status);
        }
        var dir = Path.Combine(root, "c1");
        // The directory itself is the lock (held above: readers saw "creating"), no file of its own.
        Assert.Equal([ContainerStore.ConfigFileName, ContainerStore.StateFileName],
            Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("box", store.LoadConfig("c1").Hostname);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, ContainerStore.StateFileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(dir));
        // No temp files or half-made directories remain.
        Assert.Equal(["c1"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        // A create that died leaves a creating record whose status reads stopped, so delete works.
        Assert.Equal(Status.Stopped, store.Read("c1").Status);
    }

    [Fact]
    public void RecordRoundTripsThroughStateJson()
    {
        var saved = Started("c1") with
        {
            CgroupPaths = new Dictionary<string, string> { ["memory"] = "/sys/fs/cgroup/memory/c1" },
            NamespacePaths = new Dictionary<string, string> { ["pid"] = "/proc/4000/ns/pid" },
            RootlessEuid = true,
            RootlessCgroups = true,
        };
        using (var h = store.Lock("c1")) h.Save(saved);
        var read = store.Read("c1");
        Assert.Equal(Status.Created, read.Status);
        Assert.Equal(saved.CgroupPaths, read.Record.CgroupPaths);
        Assert.Equal(saved.NamespacePaths, read.Record.NamespacePaths);
        Assert.Equal(saved.Created, read.Record.Created);
        Assert.True(read.Record.Rootless);
        var json = File.ReadAllText(Path.Combine(root, "c1", ContainerStore.StateFileName));
        Assert.Contains("\"initPid\":4000", json);
        Assert.Contains("\"rootless\":true", json);
        Assert.Contains("\"status\":\"Created\"", json);
    }

    [Fact]
    public void ReadsTheStateJsonTheSerializerWrote()
    {
        // As the source-generated serializer wrote it before state.json was written by hand.
        const string written = """{"id":"sj1","ociVersion":"1.0.2-dev","bundle":"/b","rootfs":"/b/rootfs","created":"2026-11-30T11:16:32.5707907+00:00","annotations":null,"status":"Created","initPid":19683,"initStartTime":1396988,"execFifoPath":"/r/sj1/exec.fifo","cgroupPaths":{"cpu":"/sys/fs/cgroup/cpu/sj1","":"/sys/fs/cgroup/unified/sj1"},"namespacePaths":{"pid":"/proc/19683/ns/pid"},"noNewKeyring":true,"rootlessEuid":false,"rootlessCgroups":true,"rootless":false}""";
        var record = ContainerRecordJson.Read(System.Text.Encoding.UTF8.GetBytes(written));
        Assert.Equal(("sj1", "1.0.2-dev", "/b", "/b/rootfs", Status.Created, 19683, 1396988UL, "/r/sj1/exec.fifo"),
            (record.Id, record.OciVersion, record.Bundle, record.Rootfs, record.Status, record.InitPid, record.InitStartTime, record.ExecFifoPath));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 11, 16, 32, TimeSpan.Zero).AddTicks(5707907), record.Created);
        Assert.Null(record.Annotations);
        Assert.Equal("/sys/fs/cgroup/unified/sj1", record.CgroupPaths[""]);
        Assert.Equal("/proc/19683/ns/pid", record.NamespacePaths["pid"]);
        Assert.Equal((true, false, true), (record.NoNewKeyring, record.RootlessEuid, record.RootlessCgroups));
        // And what is written now reads back the same.
        var again = ContainerRecordJson.Read(ContainerRecordJson.Write(record));
        Assert.Equal(record with { CgroupPaths = again.CgroupPaths, NamespacePaths = again.NamespacePaths }, again);
        Assert.Equal(record.CgroupPaths, again.CgroupPaths);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"bundle":"/b","rootfs":"/r"}""")]
    [InlineData("""{"id":"c","bundle":"/b","rootfs":"/r","initPid":"12"}""")]
    [InlineData("""{"id":"c","bundle":"/b","rootfs":"/r","status":"Sleeping"}""")]
    [InlineData("""{"id":"c","bundle":"/b","rootfs":"/r","initPid":1e3}""")]
    public void ADamagedStateJsonIsAJsonException(string json)
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => ContainerRecordJson.Read(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void StateJsonIsRuncsShape()
    {
        Started("c1");
        var state = store.Read("c1").ToOciState();
        Assert.Equal(new ContainerState
        {
            OciVersion = "1.2.0", Id = "c1", Pid = 4000, Status = "created", Bundle = "/bundles/c1",
            Rootfs = "/bundles/c1/rootfs", Created = NewRecord("c1").Created,
            Annotations = state.Annotations, Owner = "",
        }, state);
        Assert.Equal("0", state.Annotations!["n"]);
    }

    [Fact]
    public void SecondCreateOfAnIdFailsAndLeavesTheFirstAlone()
    {
        Started("c1");
        var e = Assert.Throws<ContainerExistsException>(() => store.Create(NewRecord("c1") with { Bundle = "/other" }, Config));
        Assert.Equal("c1", e.Id);
        Assert.Equal("/bundles/c1", store.Read("c1").Record.Bundle);
        Assert.Single(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void ConcurrentCreatesOfOneIdLetExactlyOneWin()
    {
        var winners = 0;
        Parallel.For(0, 8, i =>
        {
            try
            {
                using var h = store.Create(NewRecord("race") with { Bundle = "/b" + i }, Config);
                Interlocked.Increment(ref winners);
            }
            catch (ContainerExistsException)
            {
            }
        });
        Assert.Equal(1, winners);
        Assert.Equal(["race"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    [Fact]
    public void UnknownIdIsNotFoundAndBadIdIsRefused()
    {
        Assert.Throws<ContainerNotFoundException>(() => store.Read("nope"));
        Assert.Throws<ContainerNotFoundException>(() => store.Lock("nope"));
        Assert.Throws<UsageException>(() => store.Read("../etc"));
        Assert.Throws<UsageException>(() => store.Lock("/"));
    }

    [Fact]
    public async Task ConcurrentCommandsOnOneContainerSerialize()
    {
        Started("c1");
        const int Writers = 6, Rounds = 15;
        // Each round reads the counter, yields, and writes it back + 1: without the lock,
        // increments would be lost; readers meanwhile must always parse a whole file.
        var readers = Task.Run(() =>
        {
            for (var i = 0; i < 300; i++) Assert.Equal("c1", store.Read("c1").Record.Id);
        });
        Parallel.For(0, Writers, _ =>
        {
            for (var r = 0; r < Rounds; r++)
            {
                using var h = store.Lock("c1");
                var n = int.Parse(h.Record.Annotations!["n"], CultureInfo.InvariantCulture);
                Thread.Yield();
                h.Save(h.Record with { Annotations = new Dictionary<string, string> { ["n"] = (n + 1).ToString(CultureInfo.InvariantCulture) } });
            }
        });
        await readers;
        Assert.Equal((Writers * Rounds).ToString(CultureInfo.InvariantCulture), store.Read("c1").Record.Annotations!["n"]);
    }

    [Fact]
    public async Task WaiterForADeletedContainerFindsItGone()
    {
        Started("c1");
        var holder = store.Lock("c1");
        var waiter = Task.Run(() => store.Lock("c1"));
        Thread.Sleep(100);
        Assert.False(waiter.IsCompleted);
        holder.Destroy();
        holder.Dispose();
        await Assert.ThrowsAsync<ContainerNotFoundException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    // Podman's restart and conmon's cleanup both `delete --force` the container and then create it
    // again: once a command finds the container gone, its id must be free, even while the other
    // delete is still removing the directory's files (many files here, to make that take a while).
    [Fact]
    public async Task ContainerFoundGoneDuringADeleteCanBeCreatedAgainAtOnce()
    {
        for (var round = 0; round < 5; round++)
        {
            Started("c1");
            var dir = Path.Combine(root, "c1");
            for (var i = 0; i < 2000; i++) File.WriteAllBytes(Path.Combine(dir, "f" + i.ToString(CultureInfo.InvariantCulture)), []);
            using var go = new Barrier(2);
            var deleter = Task.Run(() =>
            {
                using var h = store.Lock("c1");
                go.SignalAndWait();
                h.Destroy();
            });
            var creator = Task.Run(() =>
            {
                go.SignalAndWait();
                while (true)
                {
                    try
                    {
                        store.Lock("c1").Dispose();
                    }
                    catch (ContainerNotFoundException)
                    {
                        store.Create(NewRecord("c1"), Config).Dispose();
                        return;
                    }
                }
            });
            await Task.WhenAll(deleter, creator).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(["c1"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
            Assert.Equal(Status.Creating, store.Read("c1").Record.Status);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ApplyRecordsTheNewStatusOnlyWhenTheOperationSucceeds()
    {
        Started("c1");
        Assert.Throws<InvalidOperationException>(() =>
            store.Apply<int>("c1", Operation.Start, (_, _) => throw new InvalidOperationException("init died")));
        Assert.Equal(Status.Created, store.Read("c1").Record.Status);

        store.Apply("c1", Operation.Start, (h, t) =>
        {
            Assert.Equal(Status.Running, t.To);
            probe.Files.Remove(h.Record.ExecFifoPath!);
            return 0;
        });
        var read = store.Read("c1");
        Assert.Equal(Status.Running, read.Record.Status);
        Assert.Equal(Status.Running, read.Status);
    }

    [Fact]
    public void RefusedOperationChangesNothing()
    {
        Started("c1");
        var before = File.ReadAllBytes(Path.Combine(root, "c1", ContainerStore.StateFileName));
        var e = Assert.Throws<OperationNotAllowedException>(() => store.Apply("c1", Operation.Resume, (_, _) => 0));
        Assert.Equal("container not paused", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(root, "c1", ContainerStore.StateFileName)));
    }

    [Fact]
    public void DeleteRemovesEverything()
    {
        Started("c1");
        probe.Processes.Clear();
        store.Apply("c1", Operation.Delete, (h, t) =>
        {
            Assert.True(t.Removes);
            h.Destroy();
            return 0;
        });
        Assert.Empty(Directory.GetFileSystemEntries(root));
        Assert.Throws<ContainerNotFoundException>(() => store.Read("c1"));
    }

    [Fact]
    public void ListShowsContainersByIdAndSkipsWhatIsNotOne()
    {
        Started("b");
        Started("a");
        Directory.CreateDirectory(Path.Combine(root, "#new.x.1"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        File.WriteAllText(Path.Combine(root, "stray-file"), "");
        Assert.Equal(["a", "b"], store.List().Select(s => s.Record.Id));
        Assert.Empty(new ContainerStore(Path.Combine(root, "missing"), probe).List());
    }

    [Fact]
    public void DamagedStateFileIsAClearError()
    {
        Started("c1");
        File.WriteAllText(Path.Combine(root, "c1", ContainerStore.StateFileName), "{not json");
        var e = Assert.Throws<HullException>(() => store.Read("c1"));
        Assert.Contains("is damaged", e.Message);
        Assert.Contains("--force", e.Message);
    }

    [Fact]
    public void FirstCreateMakesThePrivateRootDirectory()
    {
        var nested = new ContainerStore(Path.Combine(root, "run", "hull"), probe);
        Assert.Empty(nested.List());
        Assert.False(Directory.Exists(nested.Root));
        using (nested.Create(NewRecord("c1"), Config)) { }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(nested.Root));
    }

    [Fact]
    public void OwnerIsTheDirectoryOwnersName()
    {
        Started("c1");
        var owner = ContainerStore.OwnerOf(Path.Combine(root, "c1"));
        Assert.Equal(Environment.UserName, owner);
    }
}
