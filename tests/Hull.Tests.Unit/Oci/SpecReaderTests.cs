using System.Collections;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Xunit;

namespace Hull.Tests.Unit.Oci;

/// <summary>The hand reader must build what the serializer builds, member for member (null and
/// empty told apart), and give up wherever the serializer would not read the document as it does.</summary>
public class SpecReaderTests
{
    static Spec? Hand(string json)
    {
        using var document = JsonDocument.Parse(json);
        return SpecReader.TrySpec(document.RootElement);
    }

    public static TheoryData<string> SameAsTheSerializer => new()
    {
        FullConfig.Json,
        OciJson.SerializeSpec(SpecDefaults.Create(false)),
        OciJson.SerializeSpec(SpecDefaults.Create(true)),
        // Names matched ignoring case; unknown members, in any place, ignored; the last duplicate wins.
        """{"OCIVERSION":"1.0.2","Process":{"ARGS":["a"],"Cwd":"/","unknown":{"x":[1,{"y":null}]}},"hostname":"a","HostName":"b"}""",
        // null for what is not nullable is its default; null items of lists and maps stay.
        """{"ociVersion":null,"process":{"user":null,"cwd":null,"args":["a",null],"rlimits":[null]},"root":{"path":null},"annotations":{"k":null}}""",
        """{"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":null,"action":null,"args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}}}""",
        """{"linux":{"resources":{"memory":{"limit":null,"swap":-1,"disableOOMKiller":false},"cpu":{"shares":1024,"quota":-1,"cpus":""},"blockIO":{"weight":65535},"unified":{}}}}""",
        """{"mounts":[],"hooks":{"poststop":[]},"linux":{"namespaces":[{"type":"pid"},{"type":"network","path":"/x"}],"maskedPaths":[]}}""",
        "{}",
    };

    [Theory]
    [MemberData(nameof(SameAsTheSerializer))]
    public void BuildsWhatTheSerializerBuilds(string json)
    {
        var hand = Hand(json);
        Assert.NotNull(hand);
        AssertSame(OciJson.ParseConfigBySerializer(json), hand, "spec");
    }

    [Theory]
    [InlineData("""{"process":{"args":"sh"}}""")]
    [InlineData("""{"process":{"user":{"uid":-1}}}""")]
    [InlineData("""{"process":{"user":{"uid":1.5}}}""")]
    [InlineData("""{"process":{"user":{"uid":null}}}""")]
    [InlineData("""{"process":{"terminal":"true"}}""")]
    [InlineData("""{"linux":{"resources":{"blockIO":{"weight":65536}}}}""")]
    [InlineData("""{"hostnam\u0131":"x"}""")]
    [InlineData("[]")]
    [InlineData("null")]
    public void GivesUpWhereTheSerializerWouldNotReadItAlike(string json)
    {
        Assert.Null(Hand(json));
    }

    [Fact]
    public void WhatItGivesUpOnIsStillExplainedByTheSerializer()
    {
        var e = Assert.Throws<ConfigException>(() => OciJson.ParseConfig("""{"process":{"args":"sh"}}"""));
        Assert.Contains("process.args", e.Message);
    }

    /// <summary>Public properties compared recursively; lists item by item, maps key by key.</summary>
    static void AssertSame(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {expected ?? "null"} against {actual ?? "null"}");
            return;
        }
        var type = expected.GetType();
        if (type.IsPrimitive || expected is string)
        {
            Assert.True(expected.Equals(actual), $"{path}: {expected} against {actual}");
            return;
        }
        if (expected is IDictionary map)
        {
            var other = (IDictionary)actual;
            Assert.True(map.Count == other.Count, $"{path}: {map.Count} keys against {other.Count}");
            foreach (DictionaryEntry entry in map)
            {
                Assert.True(other.Contains(entry.Key), $"{path}: no key {entry.Key}");
                AssertSame(entry.Value, other[entry.Key], $"{path}[{entry.Key}]");
            }
            return;
        }
        if (expected is IEnumerable list)
        {
            var a = list.Cast<object?>().ToList();
            var b = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(a.Count == b.Count, $"{path}: {a.Count} items against {b.Count}");
            for (var i = 0; i < a.Count; i++) AssertSame(a[i], b[i], $"{path}[{i}]");
            return;
        }
        Assert.Equal(type, actual.GetType());
        foreach (var property in type.GetProperties().Where(p => p.GetIndexParameters().Length == 0))
            AssertSame(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
    }
}
