using System.Text.Json.Nodes;
using Hull.Tests.Integration.Support;

namespace Hull.Tests.Integration.Exec;

/// <summary>A busybox container kept running (`sleep`) under a runtime, for exec, ps and terminal tests.</summary>
public sealed class LiveContainer : IDisposable
{
    public Runtime Runtime { get; }
    public Bundle Bundle { get; }
    public string Id { get; }

    LiveContainer(Runtime runtime, Bundle bundle, string id)
    {
        Runtime = runtime;
        Bundle = bundle;
        Id = id;
    }

    /// <summary>Runs a container detached (or only creates it); <paramref name="edit"/> changes its config first.</summary>
    public static LiveContainer Start(Runtime runtime, string prefix, Action<JsonObject>? edit = null, bool start = true)
    {
        var bundle = Bundle.Create("sleep", "1000");
        if (edit is not null) bundle.Edit(edit);
        var id = Runtime.NewId(prefix);
        var r = start ? runtime.Detached("run", "-d", "--bundle", bundle.Dir, id) : runtime.Detached("create", "--bundle", bundle.Dir, id);
        if (r.ExitCode != 0)
        {
            bundle.Dispose();
            throw new InvalidOperationException($"{runtime.Name} could not {(start ? "run" : "create")} the container: {r}");
        }
        return new LiveContainer(runtime, bundle, id);
    }

    /// <summary>exec with no flags: the command runs in the container.</summary>
    public CommandResult Exec(params string[] command) => ExecWith([], command);

    public CommandResult ExecWith(string[] flags, params string[] command) => Runtime.Cmd(["exec", .. flags, Id, .. command]);

    public JsonNode State => JsonNode.Parse(Runtime.Cmd("state", Id).Stdout)!;

    public int InitPid => State["pid"]!.GetValue<int>();

    /// <summary>Runs a shell line with "$RT" the runtime (binary and --root) and "$ID" the container,
    /// for what needs the shell: extra fds, background jobs.</summary>
    public CommandResult Shell(string line, int timeoutMs = 60_000) =>
        Tools.Run("/bin/sh", ["-c", line], env: new Dictionary<string, string?> { ["RT"] = $"{Runtime.Binary} --root {Runtime.Root}", ["ID"] = Id }, timeoutMs: timeoutMs);

    public void Dispose()
    {
        Runtime.Cmd("delete", "--force", Id);
        Bundle.Dispose();
    }
}
