using Xunit;

namespace Hull.Tests.Unit.Cli;

/// <summary>Help in runc's (urfave/cli) layout: each option with the value it takes and its default.</summary>
public sealed class HelpTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Help(params string[] args)
    {
        var result = _cli.Run(args);
        Assert.True(result.ExitCode == 0, result.Err);
        Assert.Equal("", result.Err);
        Assert.Empty(_cli.Backend.Requests);
        return result.Out;
    }

    [Fact]
    public void RootHelpListsCommandsAndGlobalOptionsWithDefaults()
    {
        var help = Help("--help");
        Assert.StartsWith("NAME:\n   hull - Open Container Initiative runtime\n", help);
        Assert.Contains("USAGE:\n   hull [global options] command [command options] [arguments...]\n", help);
        Assert.Contains("VERSION:\n   ", help);
        Assert.Contains("\n   checkpoint  checkpoint a running container\n", help);
        Assert.Contains("\n   delete, rm  delete any resources", help);
        Assert.Contains("\n   list, ls    lists containers", help);
        Assert.Contains("\n   help, h     Shows a list of commands or help for one command\n", help);
        Assert.Contains("GLOBAL OPTIONS:\n   --debug             enable debug logging\n", help);
        Assert.Contains("   --root value        root directory for storage of container state (this should be located in tmpfs) (default: \"/run/hull\")\n", help);
        Assert.Contains("   --log-format value  set the log format ('text' (default), or 'json') (default: \"text\")\n", help);
        Assert.Contains("   --rootless value    ignore cgroup permission errors ('true', 'false', or 'auto') (default: \"auto\")\n", help);
        Assert.Contains("   --help, -h          show help\n", help);
        Assert.Contains("   --version, -v       print the version\n", help);
        Assert.DoesNotContain("--backend", help);
    }

    [Fact]
    public void HullAloneShowsTheRootHelp() => Assert.Equal(Help("--help"), Help());

    [Fact]
    public void CreateHelpShowsValuesAndDefaults()
    {
        var help = Help("create", "--help");
        Assert.StartsWith("NAME:\n   hull create - create a container\n\nUSAGE:\n   hull create [command options] <container-id>\n", help);
        Assert.Contains("DESCRIPTION:\n", help);
        Assert.Contains("OPTIONS:\n   --bundle value, -b value  path to the root of the bundle directory, defaults to the current directory\n", help);
        Assert.Contains("\n   --pid-file value          file to write the process id to\n", help);
        Assert.Contains("\n   --no-pivot                do not use pivot root", help);
        Assert.Contains("(stdio + $LISTEN_FDS + N in total) (default: 0)\n", help);
    }

    [Fact]
    public void ListHelpShowsTheFormatDefault()
    {
        var help = Help("list", "-h");
        Assert.Contains("   --format value, -f value  select one of: table or json (default: \"table\")\n", help);
        Assert.Contains("   --quiet, -q               display only container IDs\n", help);
    }

    [Fact]
    public void EventsAndCheckpointShowTheirDefaults()
    {
        Assert.Contains("--interval value  set the stats collection interval (default: 5s)", Help("events", "--help"));
        Assert.Contains("--status-fd value            criu writes \\0 to this FD once lazy-pages is ready (default: -1)", Help("checkpoint", "--help"));
    }

    [Fact]
    public void ExecHelpShowsRepeatableAndBooleanFlags()
    {
        var help = Help("exec", "--help");
        Assert.Contains("USAGE:\n   hull exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>\n", help);
        Assert.Contains("   --env value, -e value              set environment variables\n", help);
        Assert.Contains("   --tty, -t                          allocate a pseudo-TTY\n", help);
        Assert.Contains("   --cap value, -c value              add a capability", help);
    }

    [Fact]
    public void ACommandWithoutOptionsHasNoOptionsSection()
    {
        var help = Help("state", "--help");
        Assert.StartsWith("NAME:\n   hull state - output the state of a container\n\nUSAGE:\n   hull state <container-id>\n", help);
        Assert.DoesNotContain("OPTIONS:", help);
    }

    [Theory]
    [InlineData("help", "kill")]
    [InlineData("h", "kill")]
    [InlineData("--help", "kill")]
    [InlineData("kill", "--help")]
    [InlineData("kill", "--help=true")]
    public void EveryWayOfAskingGivesTheSameHelp(string a, string b) =>
        Assert.Equal(_cli.Run("kill", "-h").Out, Help(a, b));

    [Fact]
    public void HelpForAnUnknownTopicExits3()
    {
        var result = _cli.Run("help", "frobnicate");
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("hull: no help topic for \"frobnicate\": run 'hull --help' to see the commands\n", result.Err);
    }

    [Fact]
    public void EveryCommandHasHelp()
    {
        foreach (var command in new[]
                 {
                     "checkpoint", "create", "delete", "events", "exec", "kill", "list", "pause", "ps", "restore", "resume", "run", "spec",
                     "start", "state", "update", "features",
                 })
        {
            var help = Help(command, "--help");
            Assert.StartsWith($"NAME:\n   hull {command} - ", help);
            Assert.Contains($"USAGE:\n   hull {command}", help);
        }
    }

    [Fact]
    public void VersionShowsVersionCommitSpecAndPlugins()
    {
        _cli.Plugins.Add(new FakePlugin("snap", capabilities: Abstractions.Plugins.PluginCapabilities.Checkpointer));
        _cli.Problems.Add("plugins/Broken: no IHullPlugin type");
        var version = Help("--version");
        var lines = version.Split('\n');
        Assert.Matches(@"^hull version \d+\.\d+\.\d+", lines[0]);
        Assert.StartsWith("commit: ", lines[1]);
        Assert.Equal("spec: 1.0.2-dev", lines[2]);
        Assert.Contains("plugins: fake (backend), snap (checkpointer)\nplugin problem: plugins/Broken: no IHullPlugin type\n", version);
        Assert.Equal(version, Help("-v"));
    }
}
