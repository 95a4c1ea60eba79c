using Google.Protobuf;
using Hull.Abstractions.Checkpoint;
using Hull.Abstractions.Runtime;
using Hull.Plugins.Criu.Host;
using Hull.Plugins.Criu.Native;
using Hull.Plugins.Criu.Rpc;

namespace Hull.Tests.Unit.Criu;

/// <summary>System facts for the mapper, set by each test.</summary>
internal sealed class FakeHost : ICriuHost
{
    public Dictionary<string, ulong> Inodes { get; } = [];
    public HashSet<string> FilesInContainer { get; } = [];
    public Dictionary<string, string> Resolved { get; } = [];
    public List<string> Stdio { get; set; } = ["/dev/null", "pipe:[11]", "pipe:[12]"];
    public List<KeyValuePair<string, string>> Cgroups { get; } = [];
    public bool IsCgroup2Unified { get; set; }

    public ulong NamespaceInode(string path) => Inodes[path];
    public bool IsFileInContainer(int pid, string containerPath) => FilesInContainer.Contains(containerPath);
    public string ResolveInRootfs(string rootfs, string containerPath) => Resolved.GetValueOrDefault(containerPath, containerPath);
    public IReadOnlyList<string> StdioDescriptors(int pid) => Stdio;
    public IReadOnlyList<KeyValuePair<string, string>> CgroupsOf(int pid) => Cgroups;
}

/// <summary>A CRIU that answers from a script: each Run takes the next answer for its request type.</summary>
internal sealed class FakeRunner : ICriuRunner
{
    public List<criu_req> Requests { get; } = [];
    public Func<criu_req, criu_resp> Answer { get; set; } = r => new criu_resp { Type = r.Type, Success = true };
    public int CriuPid { get; set; } = 4242;
    /// <summary>Notifications "sent" during a dump or restore request, before its answer.</summary>
    public List<(string Script, int Pid)> Notifications { get; } = [];

    public criu_resp Run(criu_req request, IReadOnlyList<int> passFds, ICriuNotifications? notifications, Action<int>? started = null)
    {
        started?.Invoke(CriuPid);
        Requests.Add(request.Clone());
        if (request.Type is criu_req_type.Dump or criu_req_type.PreDump or criu_req_type.Restore)
            foreach (var (script, pid) in Notifications)
                notifications?.Notify(script, pid, []);
        var answer = Answer(request);
        // As CriuProtocol: a failure answer is an error.
        if (!answer.Success) throw new CriuRequestFailedException(answer.Type, answer.CrErrno, answer.HasCrErrmsg ? answer.CrErrmsg : null);
        return answer;
    }

    public static criu_resp Version(int major, int minor, int sublevel = 0) => new()
    {
        Type = criu_req_type.Version,
        Success = true,
        Version = new criu_version { MajorNumber = major, MinorNumber = minor, Sublevel = sublevel },
    };
}

/// <summary>The transport side of CriuProtocol: scripted packets in, sent requests recorded.</summary>
internal sealed class FakeChannel(params Packet?[] incoming) : ICriuChannel
{
    readonly Queue<Packet?> incoming = new(incoming);
    public List<criu_req> Sent { get; } = [];

    public void Send(ReadOnlySpan<byte> message) => Sent.Add(criu_req.Parser.ParseFrom(message.ToArray()));
    public Packet? Receive() => incoming.Count > 0 ? incoming.Dequeue() : null;
    public void Dispose() { }

    public static Packet Of(criu_resp response, params int[] fds) => new(response.ToByteArray(), fds);
}

internal sealed class NullLog : IHullLog
{
    public bool IsDebugEnabled => false;
    public void Debug(string message) { }
    public void Info(string message) { }
    public void Warn(string message) { }
    public void Error(string message) { }
}

internal sealed class RecordingCallbacks : IRestoreCallbacks
{
    public List<string> Calls { get; } = [];
    public void ApplyCgroups(int criuPid) => Calls.Add($"cgroups {criuPid}");
    public void SetupNamespaces(int initPid) => Calls.Add($"setup-namespaces {initPid}");
    public void OrphanPtsMaster(int masterFd) => Calls.Add("pty");
    public void PostRestore(int initPid) => Calls.Add($"post-restore {initPid}");
}

/// <summary>
/// An open fd at a number no other code is handed (the kernel gives the lowest free fd), for tests
/// that check the code under test closes it. Not disposable: that code owns it.
/// </summary>
internal sealed class HighFd
{
    public int Value { get; }

    public HighFd()
    {
        using var devNull = Fd.OpenReadOnly("/dev/null");
        Value = Libc.fcntl(devNull.Value, Libc.F_DUPFD_CLOEXEC, 900);
    }

    public bool IsOpen => Libc.fcntl(Value, Libc.F_GETFL, 0) >= 0;
}

internal static class Targets
{
    public static CheckpointTarget Plain(Hull.Abstractions.Oci.Spec? config = null, IReadOnlyList<NamespaceInfo>? namespaces = null,
        IReadOnlyDictionary<string, string>? cgroups = null) =>
        new("c1", "/bundles/c1", "/bundles/c1/rootfs", config ?? new Hull.Abstractions.Oci.Spec(), 1234,
            namespaces ?? [new("pid", null), new("network", null), new("ipc", null), new("uts", null), new("mount", null)],
            cgroups ?? new Dictionary<string, string>()) { StateDir = "/run/hull/c1" };
}
