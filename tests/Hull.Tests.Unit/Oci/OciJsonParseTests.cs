using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Xunit;

namespace Hull.Tests.Unit.Oci;

public class OciJsonParseTests
{
    [Fact]
    public void AConfigWithEverySectionRoundTripsByteForByte()
    {
        Assert.Equal(FullConfig.Json, OciJson.SerializeSpec(OciJson.ParseConfig(FullConfig.Json)));
    }

    [Theory]
    [InlineData("""{"ociVersion":"1.0.2","hooks":{}}""", true)]
    [InlineData("""{"HOOKS":null}""", true)]
    [InlineData("""{"ho\u006fks":{"poststop":[]}}""", true)]
    [InlineData("""{"process":{"hooks":1},"annotations":{"hooks":"x"}}""", false)]
    [InlineData("""{"ociVersion":"1.0.2","mounts":[{"destination":"/hooks"}]}""", false)]
    [InlineData("""{"ociVersion": """, true)]
    [InlineData("[]", true)]
    public void HasTopLevelMemberMatchesAsTheParserDoesAndSaysYesToWhatItCannotRead(string json, bool expected)
    {
        Assert.Equal(expected, OciJson.HasTopLevelMember(System.Text.Encoding.UTF8.GetBytes(json), "hooks"));
        if (!expected) Assert.Null(OciJson.ParseConfig(json).Hooks);
    }

    [Fact]
    public void TheFullConfigSetsEveryPropertyOfTheModel()
    {
        HashSet<string> all = [], set = [];
        Walk(typeof(Spec), JsonNode.Parse(FullConfig.Json), all, set);
        var missing = all.Except(set).ToList();
        Assert.True(missing.Count == 0, "never set: " + string.Join(", ", missing));
    }

    [Fact]
    public void ParsedValuesLandInTheRightProperties()
    {
        var spec = OciJson.ParseConfig(FullConfig.Json);
        Assert.Equal(18446744073709551615UL, spec.Process!.Rlimits![1].Hard);
        Assert.Equal(-500, spec.Process.OomScoreAdj);
        Assert.Equal(18u, spec.Process.User.Umask);
        Assert.Equal(100000u, spec.Mounts![1].UidMappings![0].HostId);
        Assert.Equal("/var/run/netns/box", spec.Linux!.Namespaces![1].Path);
        Assert.Equal(50000UL, spec.Linux.Resources!.Cpu!.Burst);
        Assert.Equal(1L, spec.Linux.Resources.Cpu.Idle);
        Assert.Equal(8L, spec.Linux.Resources.BlockIO!.WeightDevice![0].Major);
        Assert.Equal((ushort)600, spec.Linux.Resources.BlockIO.WeightDevice[0].Weight);
        Assert.Equal(3u, spec.Linux.Resources.Rdma!["mlx5_1"].HcaHandles);
        Assert.Equal(8UL, spec.Linux.Seccomp!.Syscalls![1].Args![0].ValueTwo);
        Assert.Equal(-3600L, spec.Linux.TimeOffsets!["boottime"].Secs);
        Assert.Equal("1", spec.Linux.Sysctl!["net.ipv4.ip_forward"]);
        Assert.Equal(5, spec.Hooks!.Prestart![0].Timeout);
    }

    [Fact]
    public void MissingFieldsTakeGoZeroValuesAndUnknownOnesAreIgnored()
    {
        // runc accepts a config without ociVersion and ignores fields it does not know.
        var spec = OciJson.ParseConfig("""{"process": {"args": ["sh"], "future": {"x": 1}}, "vendorThing": [1, 2]}""");
        Assert.Equal("", spec.OciVersion);
        Assert.Equal("", spec.Process!.Cwd);
        Assert.Equal(0u, spec.Process.User.Uid);
        Assert.Null(spec.Root);
    }

    [Fact]
    public void FieldNamesMatchCaseInsensitivelyAsInGo()
    {
        var spec = OciJson.ParseConfig("""{"OciVersion": "1.0.0", "Process": {"CWD": "/"}}""");
        Assert.Equal("1.0.0", spec.OciVersion);
        Assert.Equal("/", spec.Process!.Cwd);
    }

    [Theory]
    [InlineData("""{"process": {"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 1}, {"type": "RLIMIT_CORE", "hard": "x"}]}}""",
        "process.rlimits[1].hard: expected a number, got \"x\" (in config.json)")]
    [InlineData("""{"process": {"user": {"uid": -1}}}""",
        "process.user.uid: expected an integer from 0 to 4294967295, got -1 (in config.json)")]
    [InlineData("""{"process": {"user": {"uid": 1.5}}}""",
        "process.user.uid: expected an integer from 0 to 4294967295, got 1.5 (in config.json)")]
    [InlineData("""{"process": {"user": {"gid": null}}}""",
        "process.user.gid: expected a number, got null (in config.json)")]
    [InlineData("""{"process": {"args": "sh"}}""",
        "process.args: expected an array, got \"sh\" (in config.json)")]
    [InlineData("""{"process": {"args": ["sh", 7]}}""",
        "process.args[1]: expected a string, got 7 (in config.json)")]
    [InlineData("""{"process": {"terminal": "yes"}}""",
        "process.terminal: expected true or false, got \"yes\" (in config.json)")]
    [InlineData("""{"process": []}""",
        "process: expected an object, got an array (in config.json)")]
    [InlineData("""{"linux": {"seccomp": {"syscalls": [{"names": ["read"]}, {"names": ["write"], "args": [{"index": 0, "value": true}]}]}}}""",
        "linux.seccomp.syscalls[1].args[0].value: expected a number, got true (in config.json)")]
    [InlineData("""{"linux": {"sysctl": {"net.ipv4.ip_forward": 1}}}""",
        "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got 1 (in config.json)")]
    [InlineData("""{"linux": {"resources": {"rdma": {"mlx5_1": {"hcaHandles": "many"}}}}}""",
        "linux.resources.rdma.mlx5_1.hcaHandles: expected a number, got \"many\" (in config.json)")]
    [InlineData("""{"linux": {"resources": {"blockIO": {"weightDevice": [{"major": 8, "minor": 0, "weight": 70000}]}}}}""",
        "linux.resources.blockIO.weightDevice[0].weight: expected an integer from 0 to 65535, got 70000 (in config.json)")]
    [InlineData("""{"Process": {"Cwd": 1}}""",
        "Process.Cwd: expected a string, got 1 (in config.json)")]
    public void AWrongTypeNamesTheJsonPathAndWhatWasExpected(string json, string message)
    {
        var error = Assert.Throws<ConfigException>(() => OciJson.ParseConfig(json));
        Assert.Equal(message, error.Message);
        Assert.Equal(message[..message.IndexOf(": expected", StringComparison.Ordinal)], error.JsonPath);
    }

    [Theory]
    [InlineData("[1]", "config.json: expected an object, got an array")]
    [InlineData("null", "config.json: expected an object, got null")]
    [InlineData("\"spec\"", "config.json: expected an object, got \"spec\"")]
    public void AWrongDocumentIsNamedBySource(string json, string message)
    {
        var error = Assert.Throws<ConfigException>(() => OciJson.ParseConfig(json));
        Assert.Equal(message, error.Message);
        Assert.Null(error.JsonPath);
    }

    [Theory]
    [InlineData("{\n  \"ociVersion\": \"1.0.0\",\n  \"process\": {\n", "config.json: invalid JSON at line 4, column 1: ")]
    [InlineData("{\n  \"ociVersion\": x\n}", "config.json: invalid JSON at line 2, column 17: ")]
    [InlineData("{\"a\": 1,}", "config.json: invalid JSON at line 1, column 9: ")]
    [InlineData("", "config.json: invalid JSON at line 1, column 1: ")]
    public void ASyntaxErrorGivesLineAndColumn(string json, string start)
    {
        var error = Assert.Throws<ConfigException>(() => OciJson.ParseConfig(json));
        Assert.StartsWith(start, error.Message);
        Assert.True(error.Message.Length > start.Length, "the reason is missing: " + error.Message);
    }

    [Fact]
    public void ProcessAndResourcesDocumentsNameTheirOwnPaths()
    {
        var process = Assert.Throws<ConfigException>(() => OciJson.ParseProcess("""{"args": ["sh"], "env": {"A": "1"}}""", "/tmp/p.json"));
        Assert.Equal("env: expected an array, got an object (in /tmp/p.json)", process.Message);

        var resources = Assert.Throws<ConfigException>(() => OciJson.ParseResources("""{"memory": {"limit": "1G"}}"""));
        Assert.Equal("memory.limit: expected a number, got \"1G\" (in resources)", resources.Message);
    }

    [Fact]
    public void ProcessAndResourcesDocumentsParse()
    {
        var process = OciJson.ParseProcess("""{"terminal": false, "args": ["/bin/true"], "cwd": "/", "execCPUAffinity": {"initial": "0"}}""");
        Assert.Equal(["/bin/true"], process.Args!);
        Assert.Equal("0", process.ExecCpuAffinity!.Initial);

        var resources = OciJson.ParseResources("""{"pids": {"limit": 10}, "cpu": {"burst": 5, "idle": 0}}""");
        Assert.Equal(10, resources.Pids!.Limit);
        Assert.Equal(5UL, resources.Cpu!.Burst);
    }

    [Fact]
    public void LoadConfigReadsABundleDirectoryOrAFile()
    {
        var bundle = Directory.CreateTempSubdirectory("hull-oci-");
        try
        {
            var file = Path.Combine(bundle.FullName, "config.json");
            File.WriteAllText(file, """{"ociVersion": "1.0.2-dev", "root": {"path": "rootfs"}}""");
            Assert.Equal("rootfs", OciJson.LoadConfig(bundle.FullName).Root!.Path);
            Assert.Equal("rootfs", OciJson.LoadConfig(file).Root!.Path);

            File.WriteAllText(file, """{"root": {"path": 1}}""");
            var error = Assert.Throws<ConfigException>(() => OciJson.LoadConfig(bundle.FullName));
            Assert.Equal($"root.path: expected a string, got 1 (in {file})", error.Message);
        }
        finally
        {
            bundle.Delete(recursive: true);
        }
    }

    [Fact]
    public void AMissingConfigSaysHowToCreateOne()
    {
        var bundle = Directory.CreateTempSubdirectory("hull-oci-");
        try
        {
            var error = Assert.Throws<ConfigException>(() => OciJson.LoadConfig(bundle.FullName));
            Assert.Equal($"config.json not found in bundle {bundle.FullName}: run `hull spec` to create one", error.Message);

            var nowhere = Path.Combine(bundle.FullName, "nowhere");
            error = Assert.Throws<ConfigException>(() => OciJson.LoadConfig(nowhere));
            Assert.Equal($"bundle {nowhere} does not exist", error.Message);
        }
        finally
        {
            bundle.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Walks the model by reflection next to the JSON: every property of every record reachable from
    /// <paramref name="type"/> goes to <paramref name="all"/>, those the JSON sets somewhere to <paramref name="set"/>.
    /// </summary>
    private static void Walk(Type type, JsonNode? node, HashSet<string> all, HashSet<string> set)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type.IsPrimitive) return;
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var generic
            && (generic == typeof(IReadOnlyList<>) || generic == typeof(IReadOnlyDictionary<,>)))
        {
            var element = type.GetGenericArguments()[^1];
            IEnumerable<JsonNode?> items = node switch { JsonArray a => a, JsonObject o => o.Select(p => p.Value), _ => [] };
            foreach (var item in items) Walk(element, item, all, set);
            Walk(element, null, all, set); // lists the element's properties even when there are no items
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (name is null) continue;
            var key = $"{type.Name}.{name}";
            var firstVisit = all.Add(key);
            JsonNode? value = null;
            if (node is JsonObject json && json.TryGetPropertyValue(name, out value)) set.Add(key);
            if (value is not null || firstVisit) Walk(property.PropertyType, value, all, set);
        }
    }
}
