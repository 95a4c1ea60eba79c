using System.Reflection;
using System.Text.Json;
using Hull.Abstractions.Events;
using Hull.Abstractions.Oci;
using Xunit;

namespace Hull.Tests.Unit.Oci;

/// <summary>The documents Hull prints must be runc's to the byte: clients parse them.</summary>
public class OciJsonOutputTests
{
    private static readonly DateTimeOffset Created = new DateTimeOffset(2026, 11, 30, 7, 28, 51, TimeSpan.Zero).AddTicks(4114365);

    private static ContainerState State(IReadOnlyDictionary<string, string>? annotations = null, string owner = "") => new()
    {
        OciVersion = OciVersion.Spec,
        Id = "mdl1",
        Pid = 4659,
        Status = ContainerStatus.Created,
        Bundle = "/tmp/model-spec/b",
        Rootfs = "/tmp/model-spec/b/rootfs",
        Created = Created,
        Annotations = annotations,
        Owner = owner,
    };

    [Fact]
    public void StateIsRuncsTwoSpaceIndentWithoutTrailingNewline()
    {
        // Captured from runc 1.1.5 `state` (its nanoseconds cut to .NET's 100 ns).
        const string runc = """
            {
              "ociVersion": "1.0.2-dev",
              "id": "mdl1",
              "pid": 4659,
              "status": "created",
              "bundle": "/tmp/model-spec/b",
              "rootfs": "/tmp/model-spec/b/rootfs",
              "created": "2026-11-30T07:28:51.4114365Z",
              "owner": ""
            }
            """;
        Assert.Equal(runc, OciJson.SerializeState(State()));
        Assert.Equal(runc, OciJson.SerializeState(State(new Dictionary<string, string>())));
    }

    [Fact]
    public void StateAnnotationsComeBeforeOwnerWithSortedKeys()
    {
        var json = OciJson.SerializeState(State(new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" }));
        Assert.Contains("""
              "created": "2026-11-30T07:28:51.4114365Z",
              "annotations": {
                "a": "2",
                "z": "1"
              },
              "owner": ""
            }
            """, json);
    }

    [Theory]
    [InlineData("plain", null)]
    [InlineData("quote\" back\\slash tab\t nl\n bell\u0007", "<tag> & ünïcödé \u2028 😀")]
    public void StateIsWhatTheSerializerWrites(string id, string? annotation)
    {
        var state = State(annotation is null ? null : new Dictionary<string, string> { [annotation] = id, ["b"] = annotation }) with { Id = id, Owner = annotation ?? "" };
        Assert.Equal(OciJson.SerializeStateBySerializer(state), OciJson.SerializeState(state));
    }

    [Fact]
    public void ListIsOneCompactLineAndNullWhenEmpty()
    {
        // Captured from runc 1.1.5 `list --format json`, with zero containers and with one.
        Assert.Equal("null\n", OciJson.SerializeStates([]));
        Assert.Equal(
            """[{"ociVersion":"1.0.2-dev","id":"mdl1","pid":4659,"status":"created","bundle":"/tmp/model-spec/b","rootfs":"/tmp/model-spec/b/rootfs","created":"2026-11-30T07:28:51.4114365Z","owner":"root"}]""" + "\n",
            OciJson.SerializeStates([State(owner: "root")]));
    }

    [Theory]
    [InlineData(4114365, "2026-11-30T07:28:51.4114365Z")]
    [InlineData(5000000, "2026-11-30T07:28:51.5Z")]
    [InlineData(0, "2026-11-30T07:28:51Z")]
    public void CreatedIsGoRfc3339NanoWithTrailingZerosDropped(long ticks, string expected)
    {
        var state = State() with { Created = new DateTimeOffset(2026, 11, 30, 7, 28, 51, TimeSpan.Zero).AddTicks(ticks) };
        Assert.Contains($"\"created\": \"{expected}\"", OciJson.SerializeState(state));
    }

    [Fact]
    public void CreatedKeepsANonUtcOffsetAsGoDoes()
    {
        var state = State() with { Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)) };
        Assert.Contains("\"created\": \"2026-01-02T03:04:05+02:00\"", OciJson.SerializeState(state));
    }

    [Fact]
    public void CreatedReadsGosNanosecondsBack()
    {
        var json = """{"ociVersion":"1.0.2-dev","id":"x","pid":1,"status":"running","bundle":"/b","rootfs":"/b/rootfs","created":"2026-11-30T07:28:51.411436593Z","owner":""}""";
        var state = JsonSerializer.Deserialize(json, OciJsonContext.Default.ContainerState)!;
        Assert.Equal(Created, state.Created);
    }

    [Fact]
    public void EmptyFeaturesAreAnEmptyObject()
    {
        Assert.Equal("{}\n", OciJson.SerializeFeatures(Features.Empty));
    }

    [SkippableFact]
    public void FeaturesHaveRuncsShapeAndFormat()
    {
        // runc's own document read into the model and written back must come out unchanged:
        // same field names, order, nesting, four-space indent and trailing newline.
        var runc = Runc.Run(Path.GetTempPath(), "features");
        var features = JsonSerializer.Deserialize(runc, OciJsonContext.Default.Features)!;
        Assert.Equal(runc, OciJson.SerializeFeatures(features));
    }

    [Fact]
    public void FeaturesWriteEveryField()
    {
        var features = new Features
        {
            OciVersionMin = OciVersion.Min,
            OciVersionMax = OciVersion.Spec,
            Hooks = OciNames.Hooks,
            MountOptions = ["ro"],
            Linux = new LinuxFeatures
            {
                Namespaces = ["pid"],
                Capabilities = ["CAP_KILL"],
                Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = false, SystemdUser = false, Rdma = false },
                Seccomp = new SeccompFeatures
                {
                    Enabled = true, Actions = ["SCMP_ACT_ALLOW"], Operators = ["SCMP_CMP_EQ"], Archs = ["SCMP_ARCH_X86_64"],
                    KnownFlags = ["SECCOMP_FILTER_FLAG_LOG"], SupportedFlags = ["SECCOMP_FILTER_FLAG_LOG"],
                },
                Apparmor = new EnabledFeature { Enabled = false },
                Selinux = new EnabledFeature { Enabled = false },
                IntelRdt = new IntelRdtFeatures { Enabled = false, Schemata = false },
                MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = true } },
                NetDevices = new EnabledFeature { Enabled = false },
            },
            Annotations = new Dictionary<string, string> { ["org.hull.version"] = "0.1.0" },
            PotentiallyUnsafeConfigAnnotations = ["org.hull."],
        };
        var json = JsonDocument.Parse(OciJson.SerializeFeatures(features)).RootElement;
        Assert.Equal(
            ["ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations", "potentiallyUnsafeConfigAnnotations"],
            json.EnumerateObject().Select(p => p.Name));
        var linux = json.GetProperty("linux");
        Assert.Equal(
            ["namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt", "mountExtensions", "netDevices"],
            linux.EnumerateObject().Select(p => p.Name));
        Assert.False(linux.GetProperty("cgroup").GetProperty("rdma").GetBoolean()); // false is said, not omitted
        Assert.True(linux.GetProperty("mountExtensions").GetProperty("idmap").GetProperty("enabled").GetBoolean());
        Assert.Equal(6, linux.GetProperty("seccomp").EnumerateObject().Count());
    }

    [Fact]
    public void AnEventIsOneCompactLine()
    {
        Assert.Equal("""{"type":"oom","id":"c1"}""" + "\n", OciJson.SerializeEvent(new ContainerEvent("oom", "c1", null)));
        // What Go prints for a zero types.Stats with pids.current = 3: struct fields are never omitted.
        Assert.Equal("""{"type":"stats","id":"c1","data":{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},"cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},"memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},"pids":{"current":3},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}}""" + "\n",
            OciJson.SerializeEvent(new ContainerEvent("stats", "c1", new Stats { Pids = new PidsStats(3, 0) })));
    }

    [Fact]
    public void NullableFieldsAreOmittedWhenEmptyAsGoOmitempty()
    {
        var spec = new Spec
        {
            OciVersion = "1.0.0",
            Hostname = "",
            Mounts = [],
            Annotations = new Dictionary<string, string>(),
            Process = new Process { Args = [], Cwd = "" },
        };
        // cwd and user have no omitempty in Go: they stay even when zero.
        Assert.Equal("{\n\t\"ociVersion\": \"1.0.0\",\n\t\"process\": {\n\t\t\"user\": {\n\t\t\t\"uid\": 0,\n\t\t\t\"gid\": 0\n\t\t},\n\t\t\"cwd\": \"\"\n\t}\n}",
            OciJson.SerializeSpec(spec));
    }

    [Fact]
    public void EveryMapInTheAbstractionsIsWrittenSorted()
    {
        // Go sorts map keys; a map type GoJsonRules does not know would come out in insertion order.
        var maps = typeof(Spec).Assembly.GetTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Select(p => p.PropertyType)
            .Where(t => t.IsGenericType && t.GetInterfaces().Append(t).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
            .Distinct()
            .ToList();
        Assert.NotEmpty(maps);
        Assert.All(maps, t => Assert.True(GoJsonRules.SortsMap(t), $"{t} is not in GoJsonRules.Sorters"));
    }

    [Fact]
    public void MapsFromAParsedConfigAreWrittenSorted()
    {
        var spec = OciJson.ParseConfig("""{"ociVersion": "1", "annotations": {"b": "1", "a": "2"}, "linux": {"timeOffsets": {"monotonic": {"secs": 1}, "boottime": {"secs": 2}}}}""");
        var json = OciJson.SerializeSpec(spec);
        Assert.True(json.IndexOf("\"a\"", StringComparison.Ordinal) < json.IndexOf("\"b\"", StringComparison.Ordinal));
        Assert.True(json.IndexOf("boottime", StringComparison.Ordinal) < json.IndexOf("monotonic", StringComparison.Ordinal));
    }
}
