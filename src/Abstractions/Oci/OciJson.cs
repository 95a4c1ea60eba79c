namespace Hull.Abstractions.Oci;

// PLACEHOLDER signatures agreed between the pieces of work; the OCI model work fills the bodies.
/// <summary>Reading and writing the OCI documents (source-generated System.Text.Json, AOT-safe).</summary>
public static class OciJson
{
    /// <summary>Reads a bundle's config.json; a malformed one is a ConfigException naming the JSON path.</summary>
    public static Spec LoadConfig(string path) => throw new NotImplementedException();

    public static Spec ParseConfig(string json, string source = "config.json") => throw new NotImplementedException();

    /// <summary>A process.json for exec -p.</summary>
    public static Process ParseProcess(string json, string source = "process.json") => throw new NotImplementedException();

    /// <summary>A LinuxResources document for update -r.</summary>
    public static LinuxResources ParseResources(string json, string source = "resources") => throw new NotImplementedException();

    /// <summary>config.json as `runc spec` writes it (tab-indented).</summary>
    public static string SerializeSpec(Spec spec) => throw new NotImplementedException();

    /// <summary>`state` output, indented as runc's.</summary>
    public static string SerializeState(ContainerState state) => throw new NotImplementedException();

    /// <summary>`list --format json` output.</summary>
    public static string SerializeStates(IReadOnlyList<ContainerState> states) => throw new NotImplementedException();

    public static string SerializeFeatures(Features features) => throw new NotImplementedException();

    public static string SerializeEvent(Events.ContainerEvent e) => throw new NotImplementedException();
}
