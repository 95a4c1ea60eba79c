using System.Runtime.InteropServices;
using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Plugins;
using Hull.Abstractions.Runtime;
using Hull.Cli;

namespace Hull.Tests.Unit.Cli;

/// <summary>The outcome of one in-process hull run.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Err)
{
    public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs HullApp in-process against fake plugins, with captured streams and a fixed clock.</summary>
internal sealed class CliHarness : IDisposable
{
    public static readonly PlatformInfo Linux = new("Linux", "6.18.0", Architecture.X64, IsLinux: true);
    public static readonly PlatformInfo MacOs = new("macOS", "15.1", Architecture.Arm64, IsLinux: false);
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 7, 28, 47, TimeSpan.Zero);

    public CliHarness(params IHullPlugin[] plugins)
    {
        Backend = new RecordingBackend();
        Plugins = plugins.Length > 0 ? [.. plugins] : [new FakePlugin("fake", Backend)];
        WorkingDirectory = Directory.CreateTempSubdirectory("hull-cli-test-").FullName;
    }

    public RecordingBackend Backend { get; }
    public List<IHullPlugin> Plugins { get; }
    public string WorkingDirectory { get; }
    public Dictionary<string, string> Variables { get; } = [];
    public PlatformInfo Platform { get; set; } = Linux;
    public string StandardInput { get; set; } = "";
    public List<string> Problems { get; } = [];

    public CliResult Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new HostEnvironment(
            stdout, stderr, () => new StringReader(StandardInput),
            name => Variables.GetValueOrDefault(name),
            Platform, WorkingDirectory, () => Now, () => CancellationToken.None);
        var code = HullApp.Run(args, new Catalog(Plugins, Problems), environment);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public string PathIn(string name) => Path.Combine(WorkingDirectory, name);

    public void Dispose() => Directory.Delete(WorkingDirectory, recursive: true);

    private sealed class Catalog(IReadOnlyList<IHullPlugin> plugins, IReadOnlyList<string> problems) : IPluginCatalog
    {
        public IReadOnlyList<IHullPlugin> Plugins => plugins;
        public IReadOnlyList<string> Problems => problems;
    }
}

/// <summary>A plugin whose parts tests choose; it counts what the host asked of it.</summary>
internal sealed class FakePlugin(
    string name,
    IPlatformBackend? backend = null,
    int priority = 0,
    PluginCapabilities capabilities = PluginCapabilities.PlatformBackend,
    Func<PlatformInfo, bool>? supports = null,
    ICheckpointer? checkpointer = null) : IHullPlugin
{
    public string Name => name;
    public string Description => $"the {name} test plugin";
    public PluginCapabilities Capabilities => capabilities;
    public int Priority => priority;
    public int BackendsCreated { get; private set; }
    public int CheckpointersCreated { get; private set; }
    public BackendContext? Context { get; private set; }

    public bool SupportsPlatform(PlatformInfo platform) => supports?.Invoke(platform) ?? true;

    public IPlatformBackend CreateBackend(BackendContext context)
    {
        BackendsCreated++;
        Context = context;
        return backend ?? new RecordingBackend();
    }

    public ICheckpointer CreateCheckpointer(PluginContext context)
    {
        CheckpointersCreated++;
        return checkpointer ?? throw new InvalidOperationException("no checkpointer configured");
    }
}

/// <summary>A backend that records every request and answers with what the test set.</summary>
internal sealed class RecordingBackend : IPlatformBackend
{
    public List<object> Requests { get; } = [];
    public T Last<T>() => Requests.OfType<T>().Last();

    public int RunStatus { get; set; }
    public int ExecStatus { get; set; }
    public Exception? ExecFailure { get; set; }
    public List<ContainerState> States { get; } = [];
    public List<int> PidList { get; } = [];
    public string Table { get; set; } = "";
    public List<ContainerEvent> EventList { get; } = [];
    public Features FeatureSet { get; set; } = Abstractions.Oci.Features.Empty;

    public void Create(CreateRequest request) => Requests.Add(request);
    public void Start(string id) => Requests.Add(("start", id));
    public int Run(RunRequest request) { Requests.Add(request); return RunStatus; }
    public ContainerState State(string id) { Requests.Add(("state", id)); return States.Single(s => s.Id == id); }
    public IReadOnlyList<ContainerState> List() { Requests.Add("list"); return States; }
    public void Kill(KillRequest request) => Requests.Add(request);
    public void Delete(DeleteRequest request) => Requests.Add(request);

    public int Exec(ExecRequest request)
    {
        Requests.Add(request);
        return ExecFailure is null ? ExecStatus : throw ExecFailure;
    }

    public IReadOnlyList<int> Pids(string id) { Requests.Add(("pids", id)); return PidList; }
    public string ProcessTable(PsRequest request) { Requests.Add(request); return Table; }
    public void Pause(string id) => Requests.Add(("pause", id));
    public void Resume(string id) => Requests.Add(("resume", id));

    public IEnumerable<ContainerEvent> Events(EventsRequest request, CancellationToken cancellation)
    {
        Requests.Add(request);
        return EventList;
    }

    public void Update(UpdateRequest request) => Requests.Add(request);
    public void Checkpoint(CheckpointRequest request) => Requests.Add(request);
    public int Restore(RestoreRequest request) { Requests.Add(request); return RunStatus; }
    public Features Features() { Requests.Add("features"); return FeatureSet; }
}
