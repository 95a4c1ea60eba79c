using System.Text.Json.Nodes;
using Hull.Tests.Integration.Support;
using Xunit;

namespace Hull.Tests.Integration.Differential;

/// <summary>
/// Every bundle of <see cref="DiffCases"/> under Debian's runc and under out/hull: same stdout,
/// same stderr (runtime error lines compared by message), same exit status; and for a created
/// container the same `state` JSON, pid and times aside.
/// </summary>
public sealed class DifferentialTests : IDisposable
{
    readonly Runtime hull = Runtime.Hull();
    readonly Runtime runc = Runtime.Runc();
    readonly List<Bundle> bundles = [];

    Bundle BundleFor(DiffCase c)
    {
        var b = Bundle.Create(c.Args);
        bundles.Add(b);
        c.Prepare?.Invoke(b);
        if (c.Edit is { } edit) b.Edit(edit);
        return b;
    }

    [SkippableTheory]
    [MemberData(nameof(DiffCases.Names), MemberType = typeof(DiffCases))]
    public void RunMatchesRunc(string name)
    {
        Runtime.RequireContainers();
        Runtime.RequireRunc();
        var c = DiffCases.Named(name);
        // One bundle each: a case may write into its rootfs.
        var fromHull = hull.Cmd("run", "--bundle", BundleFor(c).Dir, Runtime.NewId("diff"));
        if (c.Explained is { } explained)
        {
            explained.CheckHull(fromHull);
            return;
        }
        var fromRunc = runc.Cmd("run", "--bundle", BundleFor(c).Dir, Runtime.NewId("diff"));
        var context = $"case {name}\n== runc: {fromRunc}\n== hull: {fromHull}";
        Assert.True(fromRunc.ExitCode == fromHull.ExitCode, "exit status differs: " + context);
        Assert.True(fromRunc.Stdout == fromHull.Stdout, "stdout differs: " + context);
        Assert.True(Normalize.Stderr(fromRunc.Stderr) == Normalize.Stderr(fromHull.Stderr), "stderr differs: " + context);
        Assert.Empty(hull.Ids());
    }

    [SkippableTheory]
    [InlineData("true")]
    [InlineData("hostname")]
    [InlineData("user-namespace")]
    public void StateJsonMatchesRunc(string name)
    {
        Runtime.RequireContainers();
        Runtime.RequireRunc();
        var c = DiffCases.Named(name) with { };
        var forHull = BundleFor(c);
        var forRunc = BundleFor(c);
        var hullId = Runtime.NewId("state");
        var runcId = Runtime.NewId("state");
        Assert.Equal(0, hull.Detached("create", "--bundle", forHull.Dir, hullId).ExitCode);
        Assert.Equal(0, runc.Detached("create", "--bundle", forRunc.Dir, runcId).ExitCode);
        AssertSameState(hull.Cmd("state", hullId), runc.Cmd("state", runcId), forHull, forRunc, hullId, runcId);
        Assert.Equal(0, hull.Cmd("start", hullId).ExitCode);
        Assert.Equal(0, runc.Cmd("start", runcId).ExitCode);
        Poll.Require(() => Status(hull, hullId) == "stopped" && Status(runc, runcId) == "stopped", "both containers exit");
        AssertSameState(hull.Cmd("state", hullId), runc.Cmd("state", runcId), forHull, forRunc, hullId, runcId);
        Assert.Equal(0, hull.Cmd("delete", hullId).ExitCode);
        Assert.Equal(0, runc.Cmd("delete", runcId).ExitCode);
    }

    [SkippableFact]
    public void ABundleGivenThroughASymlinkIsReportedByItsRealPath()
    {
        Runtime.RequireContainers();
        Runtime.RequireRunc();
        var bundle = BundleFor(DiffCases.Named("true"));
        var link = bundle.Dir + "-link";
        File.CreateSymbolicLink(link, bundle.Dir);
        try
        {
            foreach (var runtime in new[] { hull, runc })
            {
                var id = Runtime.NewId("bundle-link");
                Assert.Equal(0, runtime.Detached("create", "--bundle", link, id).ExitCode);
                var state = JsonNode.Parse(runtime.Cmd("state", id).Stdout)!;
                Assert.Equal((bundle.Dir, bundle.Rootfs), (state["bundle"]!.GetValue<string>(), state["rootfs"]!.GetValue<string>()));
                Assert.Equal(0, runtime.Cmd("delete", "--force", id).ExitCode);
            }
        }
        finally
        {
            File.Delete(link);
        }
    }

    [SkippableFact]
    public void FeaturesHasEveryFieldRuncsHasButRuncsOwnVersion()
    {
        Runtime.RequireRunc();
        var fromHull = hull.Cmd("features");
        var fromRunc = runc.Cmd("features");
        Assert.True(fromHull.ExitCode == 0, fromHull.ToString());
        Assert.True(fromRunc.ExitCode == 0, fromRunc.ToString());
        var hullPaths = FieldPaths(JsonNode.Parse(fromHull.Stdout)!, "").ToHashSet();
        // Clients look for runc's fields and annotations (checkpoint.enabled, libseccomp's version);
        // runc's version and commit are runc's own, and hull gives its own.
        string[] runcsOwn = ["annotations.org.opencontainers.runc.version", "annotations.org.opencontainers.runc.commit"];
        Assert.Empty(FieldPaths(JsonNode.Parse(fromRunc.Stdout)!, "").Except(hullPaths).Except(runcsOwn));
        Assert.Equal(JsonNode.Parse(fromRunc.Stdout)!["annotations"]!["org.opencontainers.runc.checkpoint.enabled"]!.GetValue<string>(),
            JsonNode.Parse(fromHull.Stdout)!["annotations"]!["org.opencontainers.runc.checkpoint.enabled"]!.GetValue<string>());
    }

    /// <summary>Every object member as a dotted path; array items are values, not fields.</summary>
    static IEnumerable<string> FieldPaths(JsonNode node, string prefix) =>
        node is JsonObject o
            ? o.SelectMany(m => FieldPaths(m.Value!, prefix + m.Key + ".").Prepend(prefix + m.Key))
            : [];

    static string? Status(Runtime runtime, string id) =>
        runtime.Cmd("state", id) is { ExitCode: 0 } r ? JsonNode.Parse(r.Stdout)?["status"]?.GetValue<string>() : null;

    /// <summary>Equal once the pid, the times and the per-runtime names (id, bundle) are masked.</summary>
    static void AssertSameState(CommandResult fromHull, CommandResult fromRunc, Bundle hullBundle, Bundle runcBundle, string hullId, string runcId)
    {
        Assert.True(fromHull.ExitCode == 0, fromHull.ToString());
        Assert.True(fromRunc.ExitCode == 0, fromRunc.ToString());
        static string Mask(string json, string bundle, string id)
        {
            var state = JsonNode.Parse(json)!.AsObject();
            Assert.True(state["pid"]!.GetValue<int>() >= 0);
            state["pid"] = state["status"]!.GetValue<string>() == "stopped" ? 0 : 1;
            state["created"] = "<time>";
            return state.ToJsonString().Replace(bundle, "<bundle>").Replace(id, "<id>");
        }
        Assert.Equal(Mask(fromRunc.Stdout, runcBundle.Dir, runcId), Mask(fromHull.Stdout, hullBundle.Dir, hullId));
    }

    public void Dispose()
    {
        hull.Dispose();
        runc.Dispose();
        foreach (var b in bundles) b.Dispose();
    }
}
