using Hull.Plugins.Linux.State;
using Xunit;

namespace Hull.Tests.Unit.Linux.State;

public class LifecycleTests
{
    // The whole matrix, written out independently of the table: row = operation, columns =
    // creating, created, running, pausing, paused, stopped ('x' allowed, '.' refused).
    static readonly Dictionary<Operation, string> Expected = new()
    {
        [Operation.Start] = ".x....",
        [Operation.Kill] = "xxxxx.",
        [Operation.Pause] = ".xxx..",
        [Operation.Resume] = "...xx.",
        [Operation.Exec] = ".xx...",
        [Operation.Delete] = ".x...x",
        [Operation.ForceDelete] = "xxxxxx",
        [Operation.Checkpoint] = "..x.x.",
        [Operation.Update] = ".xxxx.",
        [Operation.Events] = ".xxxx.",
        [Operation.Ps] = "xxxxxx",
    };

    [Fact]
    public void TableAllowsExactlyTheExpectedMatrix()
    {
        Assert.Equal(Enum.GetValues<Operation>().Length, Expected.Count);
        foreach (var (op, row) in Expected)
            foreach (var status in Enum.GetValues<Status>())
                Assert.True(row[(int)status] == 'x' == Lifecycle.IsAllowed(op, status), $"{op} from {status}");
    }

    [Fact]
    public void TableHasNoDuplicateRows()
    {
        Assert.Equal(Lifecycle.Table.Count, Lifecycle.Table.Select(t => (t.Operation, t.From)).Distinct().Count());
    }

    [Theory]
    [InlineData("Start", "Created", "Running")]
    [InlineData("Pause", "Running", "Paused")]
    [InlineData("Pause", "Created", "Paused")]
    [InlineData("Resume", "Paused", "Running")]
    [InlineData("Checkpoint", "Running", "Stopped")]
    public void AllowedOperationsSayWhereTheyLeadTo(string op, string from, string to)
    {
        var t = Lifecycle.Check(Enum.Parse<Operation>(op), Enum.Parse<Status>(from), "c1");
        Assert.Equal(Enum.Parse<Status>(to), t.To);
        Assert.False(t.Removes);
    }

    [Theory]
    [InlineData("Delete", "Stopped")]
    [InlineData("Delete", "Created")]
    [InlineData("ForceDelete", "Running")]
    public void DeletesRemoveTheContainer(string op, string from)
    {
        Assert.True(Lifecycle.Check(Enum.Parse<Operation>(op), Enum.Parse<Status>(from), "c1").Removes);
    }

    // Messages observed from Debian's runc 1.1.5 on the same transitions.
    [Theory]
    [InlineData("Start", "Running", "cannot start an already running container")]
    [InlineData("Start", "Stopped", "cannot start a container that has stopped")]
    [InlineData("Start", "Paused", "cannot start a container in the paused state")]
    [InlineData("Kill", "Stopped", "container not running")]
    [InlineData("Pause", "Paused", "container not running")]
    [InlineData("Pause", "Stopped", "container not running")]
    [InlineData("Resume", "Running", "container not paused")]
    [InlineData("Resume", "Stopped", "container not paused")]
    [InlineData("Exec", "Stopped", "cannot exec in a stopped container")]
    [InlineData("Exec", "Paused", "cannot exec in a paused container")]
    [InlineData("Delete", "Paused", "cannot delete container c1 that is not stopped: paused")]
    [InlineData("Delete", "Running", "cannot delete container c1 that is not stopped: running")]
    [InlineData("Checkpoint", "Created", "Container cannot be checkpointed in created state")]
    [InlineData("Checkpoint", "Stopped", "Container cannot be checkpointed in stopped state")]
    [InlineData("Update", "Stopped", "container not running")]
    [InlineData("Events", "Stopped", "container with id c1 is not running")]
    public void RefusalsAreWordedAsRuncs(string op, string from, string message)
    {
        var e = Assert.Throws<OperationNotAllowedException>(() => Lifecycle.Check(Enum.Parse<Operation>(op), Enum.Parse<Status>(from), "c1"));
        Assert.Equal(message, e.Message);
        Assert.Equal(from, e.Status.ToString());
        Assert.Equal(op, e.Operation.ToString());
        Assert.Equal(1, e.ExitCode);
    }
}
