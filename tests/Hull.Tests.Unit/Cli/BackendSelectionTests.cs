using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Plugins;
using Hull.Cli;
using Hull.Cli.Plugins;
using Xunit;

namespace Hull.Tests.Unit.Cli;

public sealed class BackendSelectionTests
{
    private sealed class Catalog(params IHullPlugin[] plugins) : IPluginCatalog
    {
        public IReadOnlyList<IHullPlugin> Plugins => plugins;
    }

    private static readonly FakePlugin Linux = new("linux", priority: 100, supports: p => p.IsLinux);
    private static readonly FakePlugin Fallback = new("unsupported", priority: -100);
    private static readonly FakePlugin Criu = new("criu", capabilities: PluginCapabilities.Checkpointer, supports: p => p.IsLinux);
    private static readonly Catalog FirstParty = new(Criu, Fallback, Linux);

    [Fact]
    public void TheHighestPrioritySupportingBackendWins()
    {
        Assert.Same(Linux, BackendSelector.SelectBackend(FirstParty, CliHarness.Linux, null, "HULL_BACKEND"));
        Assert.Same(Fallback, BackendSelector.SelectBackend(FirstParty, CliHarness.MacOs, null, "HULL_BACKEND"));
    }

    [Fact]
    public void TiesKeepTheCatalogsOrder()
    {
        var a = new FakePlugin("a");
        var b = new FakePlugin("b");
        Assert.Same(a, BackendSelector.SelectBackend(new Catalog(a, b), CliHarness.Linux, null, "x"));
    }

    [Fact]
    public void ANameForcesABackendInAnyCase()
    {
        Assert.Same(Fallback, BackendSelector.SelectBackend(FirstParty, CliHarness.Linux, "unsupported", "HULL_BACKEND"));
        Assert.Same(Fallback, BackendSelector.SelectBackend(FirstParty, CliHarness.Linux, "Unsupported", "HULL_BACKEND"));
    }

    [Fact]
    public void AnUnknownNameListsThePluginsFound()
    {
        var e = Assert.Throws<HullException>(() => BackendSelector.SelectBackend(FirstParty, CliHarness.Linux, "nope", "HULL_BACKEND"));
        Assert.Equal(
            "HULL_BACKEND names backend \"nope\", but no plugin has that name; plugins found: " +
            "criu (checkpointer): the criu test plugin; unsupported (backend): the unsupported test plugin; linux (backend): the linux test plugin",
            e.Message);
    }

    [Fact]
    public void APluginWithoutABackendCannotBeForced()
    {
        var e = Assert.Throws<HullException>(() => BackendSelector.SelectBackend(FirstParty, CliHarness.Linux, "criu", "--backend"));
        Assert.StartsWith("--backend names plugin \"criu\", which provides no platform backend; plugins found: ", e.Message);
    }

    [Fact]
    public void ABackendForAnotherPlatformCannotBeForced()
    {
        var e = Assert.Throws<HullException>(() => BackendSelector.SelectBackend(FirstParty, CliHarness.MacOs, "linux", "HULL_BACKEND"));
        Assert.StartsWith("HULL_BACKEND names backend \"linux\", which does not support macOS 15.1; plugins found: ", e.Message);
    }

    [Fact]
    public void NoSupportingBackendIsAClearErrorWithTheProblems()
    {
        var catalog = new ProblemCatalog();
        var e = Assert.Throws<HullException>(() => BackendSelector.SelectBackend(catalog, CliHarness.Linux, null, "HULL_BACKEND"));
        Assert.Equal("no plugin provides a backend for Linux 6.18.0; no plugins were found; problems: plugins/Broken: no plugin type", e.Message);
    }

    private sealed class ProblemCatalog : IPluginCatalog
    {
        public IReadOnlyList<IHullPlugin> Plugins => [];
        public IReadOnlyList<string> Problems => ["plugins/Broken: no plugin type"];
    }

    [Fact]
    public void TheCheckpointerIsBuiltOnlyWhenAskedAndOnce()
    {
        var checkpointer = new NoCheckpointer();
        var criu = new FakePlugin("criu", capabilities: PluginCapabilities.Checkpointer, checkpointer: checkpointer);
        var backend = new FakePlugin("fake");
        using var cli = new CliHarness(backend, criu);
        Assert.Equal(0, cli.Run("list").ExitCode);
        Assert.Equal(1, backend.BackendsCreated);
        Assert.Equal(0, criu.CheckpointersCreated);

        var lazy = backend.Context!.Checkpointer;
        Assert.Same(checkpointer, lazy());
        Assert.Same(checkpointer, lazy());
        Assert.Equal(1, criu.CheckpointersCreated);
    }

    [Fact]
    public void WithoutACheckpointerPluginTheBackendGetsNull()
    {
        var backend = new FakePlugin("fake");
        using var cli = new CliHarness(backend);
        cli.Run("list");
        Assert.Null(backend.Context!.Checkpointer());
    }

    [Fact]
    public void HelpVersionAndSpecBuildNoBackend()
    {
        var backend = new FakePlugin("fake");
        using var cli = new CliHarness(backend);
        cli.Run("--help");
        cli.Run("--version");
        cli.Run("list", "--help");
        cli.Run("spec");
        Assert.Equal(0, backend.BackendsCreated);
    }

    [Fact]
    public void TheVariableAndTheFlagForceABackend()
    {
        var first = new FakePlugin("first", priority: 10);
        var second = new FakePlugin("second");
        using var cli = new CliHarness(first, second);
        cli.Variables["HULL_BACKEND"] = "second";
        cli.Run("list");
        Assert.Equal((0, 1), (first.BackendsCreated, second.BackendsCreated));

        cli.Variables["HULL_BACKEND"] = "nope";
        cli.Run("--backend", "first", "list");
        Assert.Equal(1, first.BackendsCreated);
    }

    [Fact]
    public void AnUnknownForcedBackendFailsTheCommandWithExit1()
    {
        using var cli = new CliHarness();
        cli.Variables["HULL_BACKEND"] = "nope";
        var result = cli.Run("list");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("hull: HULL_BACKEND names backend \"nope\", but no plugin has that name; plugins found: fake (backend)", result.Err);
        Assert.Single(result.ErrLines);
    }

    private sealed class NoCheckpointer : ICheckpointer
    {
        public void EnsureAvailable() { }
        public void Checkpoint(CheckpointTarget target, Abstractions.Runtime.CheckpointRequest request) { }
        public int Restore(CheckpointTarget target, Abstractions.Runtime.RestoreRequest request, IRestoreCallbacks callbacks) => 0;
    }
}
