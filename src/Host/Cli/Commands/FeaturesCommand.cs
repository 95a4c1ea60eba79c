using Hull.Abstractions.Oci;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

internal static class FeaturesCommand
{
    public static HullCommand Build(CliSession session) => new("features", "show the enabled features")
    {
        LongDescription = "Show the features of the selected backend, as the OCI runtime-spec's features JSON.\n" +
            "It lists only what hull really supports on this platform.",
        Define = command => command.SetAction(_ =>
        {
            session.Out.Write(OciJson.SerializeFeatures(session.Backend.Features()));
            return 0;
        }),
    };
}
