using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Xunit;

namespace Hull.Tests.Unit.Cli;

/// <summary>Every command and flag reaches the backend's request as runc would mean it.</summary>
public sealed class CommandParsingTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private void Ok(params string[] args)
    {
        var result = _cli.Run(args);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Err}{result.Out}");
    }

    [Fact]
    public void CreateTakesEveryFlag()
    {
        Ok("create", "--bundle", "b", "--console-socket", "/run/sock", "--pid-file", "pid", "--no-pivot", "--no-new-keyring", "--preserve-fds", "2", "c1");
        var request = _cli.Backend.Last<CreateRequest>();
        Assert.Equal(new CreateRequest("c1", _cli.PathIn("b"))
        {
            ConsoleSocket = "/run/sock", PidFile = _cli.PathIn("pid"), NoPivot = true, NoNewKeyring = true, PreserveFds = 2,
        }, request);
    }

    [Fact]
    public void CreateDefaultsToTheWorkingDirectoryAndNoExtras()
    {
        Ok("create", "c1");
        Assert.Equal(new CreateRequest("c1", _cli.WorkingDirectory), _cli.Backend.Last<CreateRequest>());
    }

    [Theory]
    [InlineData("--bundle=b --pid-file=pid --preserve-fds=3")]
    [InlineData("-b b -pid-file=pid --preserve-fds 3")]
    [InlineData("-b=b --pid-file pid -preserve-fds=3")]
    public void EqualsFormsAndSingleDashLongNamesAreAccepted(string flags)
    {
        Ok(["create", .. flags.Split(' '), "c1"]);
        var request = _cli.Backend.Last<CreateRequest>();
        Assert.Equal((_cli.PathIn("b"), _cli.PathIn("pid"), 3), (request.Bundle, request.PidFile, request.PreserveFds));
    }

    [Fact]
    public void FlagsMayFollowTheContainerIdExceptForExecAndPs()
    {
        Ok("create", "c1", "--bundle", "/abs/bundle");
        Assert.Equal("/abs/bundle", _cli.Backend.Last<CreateRequest>().Bundle);
    }

    [Fact]
    public void RunTakesEveryFlagAndExitsWithTheContainersStatus()
    {
        _cli.Backend.RunStatus = 137;
        var result = _cli.Run("run", "-b", "/b", "--console-socket", "/s", "-d", "--keep", "--pid-file", "/p", "--no-subreaper",
            "--no-pivot", "--no-new-keyring", "--preserve-fds", "1", "c1");
        Assert.Equal(137, result.ExitCode);
        Assert.Equal(new RunRequest("c1", "/b")
        {
            ConsoleSocket = "/s", Detach = true, Keep = true, PidFile = "/p", NoSubreaper = true, NoPivot = true, NoNewKeyring = true, PreserveFds = 1,
        }, _cli.Backend.Last<RunRequest>());
    }

    [Fact]
    public void BooleanFlagsTakeGoBooleansAfterEquals()
    {
        Ok("run", "--detach=false", "--keep=true", "--no-pivot=1", "--no-subreaper=F", "c1");
        var request = _cli.Backend.Last<RunRequest>();
        Assert.Equal((false, true, true, false), (request.Detach, request.Keep, request.NoPivot, request.NoSubreaper));
    }

    [Fact]
    public void TheLastValueOfARepeatedFlagWins()
    {
        Ok("create", "--pid-file", "/a", "--pid-file", "/b", "c1");
        Assert.Equal("/b", _cli.Backend.Last<CreateRequest>().PidFile);
    }

    [Fact]
    public void StartStatePauseResumeTakeTheId()
    {
        _cli.Backend.States.Add(State("c1"));
        Ok("start", "c1");
        Ok("state", "c1");
        Ok("pause", "c1");
        Ok("resume", "c1");
        Assert.Equal<object>([("start", "c1"), ("state", "c1"), ("pause", "c1"), ("resume", "c1")], _cli.Backend.Requests);
    }

    [Theory]
    [InlineData(new[] { "kill", "c1" }, 15, false)]
    [InlineData(new[] { "kill", "c1", "KILL" }, 9, false)]
    [InlineData(new[] { "kill", "c1", "sigkill" }, 9, false)]
    [InlineData(new[] { "kill", "c1", "SIGUSR1" }, 10, false)]
    [InlineData(new[] { "kill", "c1", "hup" }, 1, false)]
    [InlineData(new[] { "kill", "c1", "9" }, 9, false)]
    [InlineData(new[] { "kill", "c1", "0" }, 0, false)]
    [InlineData(new[] { "kill", "c1", "RTMIN+2" }, 36, false)]
    [InlineData(new[] { "kill", "--all", "c1", "TERM" }, 15, true)]
    [InlineData(new[] { "kill", "-a", "c1" }, 15, true)]
    [InlineData(new[] { "kill", "c1", "KILL", "--all" }, 9, true)]
    [InlineData(new[] { "kill", "--all=true", "c1" }, 15, true)]
    public void KillTakesSignalsAsRuncDoes(string[] args, int signal, bool all)
    {
        Ok(args);
        Assert.Equal(new KillRequest("c1", signal, all), _cli.Backend.Last<KillRequest>());
    }

    [Theory]
    [InlineData("FOO")]
    [InlineData("SIGNOPE")]
    [InlineData("65")]
    [InlineData("-9x")]
    public void KillRefusesAnUnknownSignalBeforeDoingAnything(string signal)
    {
        var result = _cli.Run("kill", "c1", "--", signal);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"unknown signal \"{signal}\"", result.Err);
        Assert.Empty(_cli.Backend.Requests);
    }

    [Theory]
    [InlineData(new[] { "delete", "c1" }, false)]
    [InlineData(new[] { "delete", "--force", "c1" }, true)]
    [InlineData(new[] { "rm", "-f", "c1" }, true)]
    public void DeleteAndItsAlias(string[] args, bool force)
    {
        Ok(args);
        Assert.Equal(new DeleteRequest("c1", force), _cli.Backend.Last<DeleteRequest>());
    }

    [Fact]
    public void ExecTakesEveryFlag()
    {
        Ok("exec", "--console-socket", "/s", "--cwd", "/work", "-e", "A=1", "--env=B=2", "-t", "-u", "1000:1000", "-g", "10", "--additional-gids", "11",
            "-d", "--pid-file", "/p", "--process-label", "lbl", "--apparmor", "prof", "--no-new-privs", "-c", "CAP_KILL", "--cap", "CAP_CHOWN",
            "--preserve-fds", "2", "--cgroup", "cpu:/sub", "--cgroup", "/other", "--ignore-paused", "c1", "sh", "-c", "echo hi");
        var request = _cli.Backend.Last<ExecRequest>();
        Assert.Equal("c1", request.Id);
        Assert.Equal(["sh", "-c", "echo hi"], request.Args);
        Assert.Equal(["A=1", "B=2"], request.Env);
        Assert.Equal([10u, 11u], request.AdditionalGids);
        Assert.Equal(["CAP_KILL", "CAP_CHOWN"], request.Capabilities);
        Assert.Equal(["cpu:/sub", "/other"], request.Cgroups);
        Assert.Equal(("/s", "/work", true, "1000:1000", true, "/p", "lbl", "prof", true, 2, true),
            (request.ConsoleSocket, request.Cwd, request.Tty, request.User, request.Detach, request.PidFile, request.ProcessLabel,
             request.AppArmorProfile, request.NoNewPrivileges, request.PreserveFds, request.IgnorePaused));
        Assert.Null(request.ProcessFile);
    }

    [Fact]
    public void ExecLeavesEverythingAfterTheIdToTheProcess()
    {
        // -c is sh's, not --cap; --root and --help are the process's too.
        Ok("exec", "-t", "c1", "sh", "-c", "x", "--root", "/r", "--help", "--", "-e");
        var request = _cli.Backend.Last<ExecRequest>();
        Assert.Equal(["sh", "-c", "x", "--root", "/r", "--help", "--", "-e"], request.Args);
        Assert.Empty(request.Capabilities);
        Assert.True(request.Tty);
    }

    [Fact]
    public void ExecWithAProcessFileNeedsNoCommand()
    {
        Ok("exec", "-p", "proc.json", "c1");
        Assert.Equal(_cli.PathIn("proc.json"), _cli.Backend.Last<ExecRequest>().ProcessFile);
    }

    [Fact]
    public void ExecWithoutACommandOrProcessFileIsRefused()
    {
        var result = _cli.Run("exec", "c1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("exec needs the command", result.Err);
        Assert.Empty(_cli.Backend.Requests);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("1000:x")]
    [InlineData("1:2:3")]
    public void ExecRefusesANonNumericUser(string user)
    {
        var result = _cli.Run("exec", "-u", user, "c1", "true");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"invalid --user \"{user}\"", result.Err);
    }

    [Fact]
    public void PsPassesItsOptionsToPsAndDefaultsToEf()
    {
        _cli.Backend.Table = "UID PID\n";
        var result = _cli.Run("ps", "c1");
        Assert.Equal("UID PID\n", result.Out);
        Assert.Equal(["-ef"], _cli.Backend.Last<PsRequest>().PsArgs);

        Ok("ps", "c1", "-o", "pid,comm", "--format", "json");
        Assert.Equal(["-o", "pid,comm", "--format", "json"], _cli.Backend.Last<PsRequest>().PsArgs);
    }

    [Fact]
    public void PsJsonIsAnArrayOfPids()
    {
        _cli.Backend.PidList.AddRange([10309, 10400]);
        var result = _cli.Run("ps", "-f", "json", "c1");
        Assert.Equal("[10309,10400]\n", result.Out);
        // runc prints Go's nil slice: null, not [].
        using var empty = new CliHarness();
        Assert.Equal("null\n", empty.Run("ps", "--format=json", "c1").Out);
    }

    [Fact]
    public void EventsTakesIntervalAndStats()
    {
        Ok("events", "c1");
        Assert.Equal(new EventsRequest("c1", false, TimeSpan.FromSeconds(5)), _cli.Backend.Last<EventsRequest>());
        Ok("events", "--interval", "1m30s", "--stats", "c1");
        Assert.Equal(new EventsRequest("c1", true, TimeSpan.FromSeconds(90)), _cli.Backend.Last<EventsRequest>());
        Ok("events", "--interval=250ms", "c1");
        Assert.Equal(TimeSpan.FromMilliseconds(250), _cli.Backend.Last<EventsRequest>().Interval);
    }

    [Fact]
    public void EventsPrintsOneJsonLinePerEvent()
    {
        var oom = new Abstractions.Events.ContainerEvent("oom", "c1", null);
        var stats = new Abstractions.Events.ContainerEvent("stats", "c1", new Abstractions.Events.Stats());
        _cli.Backend.EventList.AddRange([oom, stats]);
        var result = _cli.Run("events", "c1");
        Assert.Equal(OciJson.SerializeEvent(oom) + OciJson.SerializeEvent(stats), result.Out);
        Assert.Equal(2, result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("0s")]
    public void EventsRefusesABadInterval(string interval)
    {
        var result = _cli.Run("events", "--interval", interval, "c1");
        Assert.Equal(1, result.ExitCode);
        Assert.Empty(_cli.Backend.Requests);
    }

    [Fact]
    public void UpdateMapsEveryFlagOntoTheResources()
    {
        Ok("update", "--blkio-weight", "500", "--cpu-period", "100000", "--cpu-quota", "-1", "--cpu-burst", "1000", "--cpu-share", "512",
            "--cpu-rt-period", "1000000", "--cpu-rt-runtime", "950000", "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--cpu-idle", "1",
            "--memory", "512m", "--memory-reservation", "1g", "--memory-swap", "-1", "--pids-limit", "100",
            "--l3-cache-schema", "L3:0=f", "--mem-bw-schema", "MB:0=70", "c1");
        var request = _cli.Backend.Last<UpdateRequest>();
        Assert.Equal(new LinuxCpu
        {
            Period = 100000, Quota = -1, Burst = 1000, Shares = 512, RealtimePeriod = 1000000, RealtimeRuntime = 950000, Cpus = "0-1", Mems = "0", Idle = 1,
        }, request.Resources.Cpu);
        Assert.Equal(new LinuxMemory { Limit = 512L << 20, Reservation = 1L << 30, Swap = -1 }, request.Resources.Memory);
        Assert.Equal((ushort?)500, request.Resources.BlockIO?.Weight);
        Assert.Equal(100, request.Resources.Pids?.Limit);
        Assert.Equal(("L3:0=f", "MB:0=70"), (request.L3CacheSchema, request.MemBwSchema));
    }

    [Fact]
    public void UpdateLeavesWhatWasNotGivenUnchanged()
    {
        Ok("update", "--memory", "100000", "c1");
        var resources = _cli.Backend.Last<UpdateRequest>().Resources;
        Assert.Equal(new LinuxMemory { Limit = 100000 }, resources.Memory);
        Assert.Null(resources.Cpu);
        Assert.Null(resources.Pids);
        Assert.Null(resources.BlockIO);
    }

    [Fact]
    public void UpdateReadsResourcesFromAFileOrStdinAndIgnoresTheOtherFlags()
    {
        File.WriteAllText(_cli.PathIn("r.json"), """{"memory":{"limit":1024},"pids":{"limit":5}}""");
        Ok("update", "-r", "r.json", "--cpu-share", "7", "c1");
        var fromFile = _cli.Backend.Last<UpdateRequest>().Resources;
        Assert.Equal(1024, fromFile.Memory?.Limit);
        Assert.Null(fromFile.Cpu);

        _cli.StandardInput = """{"cpu":{"shares":9}}""";
        Ok("update", "--resources", "-", "c1");
        Assert.Equal(9UL, _cli.Backend.Last<UpdateRequest>().Resources.Cpu?.Shares);
    }

    [Theory]
    [InlineData("--memory", "lots")]
    [InlineData("--cpu-period", "-5")]
    [InlineData("--blkio-weight", "70000")]
    [InlineData("--pids-limit", "x")]
    public void UpdateRefusesBadValuesNamingTheFlag(string flag, string value)
    {
        var result = _cli.Run("update", flag, value, "c1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"invalid value \"{value}\" for flag {flag}", result.Err);
        Assert.Empty(_cli.Backend.Requests);
    }

    [Fact]
    public void CheckpointTakesEveryFlag()
    {
        Ok("checkpoint", "--image-path", "img", "--work-path", "/w", "--parent-path", "../pre", "--leave-running", "--tcp-established",
            "--ext-unix-sk", "--shell-job", "--lazy-pages", "--status-fd", "5", "--page-server", "10.0.0.1:27", "--file-locks", "--pre-dump",
            "--manage-cgroups-mode", "full", "--empty-ns", "network", "--empty-ns", "ipc", "--auto-dedup", "c1");
        var request = _cli.Backend.Last<CheckpointRequest>();
        Assert.Equal(new CheckpointRequest("c1")
        {
            ImagePath = _cli.PathIn("img"), WorkPath = "/w", ParentPath = "../pre", LeaveRunning = true, TcpEstablished = true,
            ExternalUnixSockets = true, ShellJob = true, LazyPages = true, StatusFd = 5, PageServer = "10.0.0.1:27", FileLocks = true,
            PreDump = true, ManageCgroupsMode = CgroupsMode.Full, EmptyNamespaces = request.EmptyNamespaces, AutoDedup = true,
        }, request);
        Assert.Equal(["network", "ipc"], request.EmptyNamespaces);
    }

    [Fact]
    public void CheckpointDefaultsAsRunc()
    {
        Ok("checkpoint", "c1");
        var request = _cli.Backend.Last<CheckpointRequest>();
        Assert.Equal(_cli.PathIn("checkpoint"), request.ImagePath);
        Assert.Null(request.StatusFd);
        Assert.Null(request.ManageCgroupsMode);
    }

    [Fact]
    public void CheckpointRefusesAnUnknownCgroupsMode()
    {
        var result = _cli.Run("checkpoint", "--manage-cgroups-mode", "loose", "c1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--manage-cgroups-mode \"loose\"", result.Err);
    }

    [Fact]
    public void RestoreTakesEveryFlag()
    {
        _cli.Backend.RunStatus = 3;
        var result = _cli.Run("restore", "--console-socket", "/s", "--image-path", "/img", "--work-path", "/w", "--tcp-established",
            "--ext-unix-sk", "--shell-job", "--file-locks", "--manage-cgroups-mode", "ignore", "-b", "/b", "-d", "--pid-file", "/p",
            "--no-subreaper", "--no-pivot", "--empty-ns", "network", "--auto-dedup", "--lazy-pages", "--lsm-profile", "apparmor:x",
            "--lsm-mount-context", "ctx", "c1");
        Assert.Equal(3, result.ExitCode);
        var request = _cli.Backend.Last<RestoreRequest>();
        Assert.Equal(new RestoreRequest("c1", "/b")
        {
            ConsoleSocket = "/s", ImagePath = "/img", WorkPath = "/w", TcpEstablished = true, ExternalUnixSockets = true, ShellJob = true,
            FileLocks = true, ManageCgroupsMode = CgroupsMode.Ignore, Detach = true, PidFile = "/p", NoSubreaper = true, NoPivot = true,
            EmptyNamespaces = request.EmptyNamespaces, AutoDedup = true, LazyPages = true, LsmProfile = "apparmor:x", LsmMountContext = "ctx",
        }, request);
        Assert.Equal(["network"], request.EmptyNamespaces);
    }

    [Fact]
    public void StatePrintsTheStateJsonAsRuncDoes()
    {
        var state = State("c1");
        _cli.Backend.States.Add(state);
        Assert.Equal(OciJson.SerializeState(state), _cli.Run("state", "c1").Out);
    }

    [Fact]
    public void ListPrintsRuncsTable()
    {
        _cli.Backend.States.Add(State("ctr1") with
        {
            Pid = 10309, Bundle = "/tmp/clihelp/b", Owner = "root",
            Created = DateTimeOffset.Parse("2026-11-30T07:31:58.7272325Z", System.Globalization.CultureInfo.InvariantCulture),
        });
        var result = _cli.Run("list");
        // Laid out as runc 1.1 prints the same container (its times have nanoseconds; .NET keeps 100 ns).
        Assert.Equal(
            "ID          PID         STATUS      BUNDLE           CREATED                        OWNER\n" +
            "ctr1        10309       created     /tmp/clihelp/b   2026-11-30T07:31:58.7272325Z   root\n", result.Out);
    }

    [Fact]
    public void ListWithNoContainersPrintsTheHeaderAsRunc()
    {
        Assert.Equal("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n", _cli.Run("ls").Out);
    }

    [Fact]
    public void ListQuietAndJson()
    {
        _cli.Backend.States.AddRange([State("a"), State("b")]);
        Assert.Equal("a\nb\n", _cli.Run("list", "-q").Out);
        Assert.Equal("a\nb\n", _cli.Run("list", "--quiet", "--format", "json").Out);
        Assert.Equal(OciJson.SerializeStates(_cli.Backend.States), _cli.Run("list", "--format=json").Out);
        using var empty = new CliHarness();
        Assert.Equal("null\n", empty.Run("list", "-f", "json").Out);
    }

    [Fact]
    public void ListRefusesAnUnknownFormatBeforeAskingTheBackend()
    {
        var result = _cli.Run("list", "--format", "yaml");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("hull: invalid --format \"yaml\": use table or json\n", result.Err);
        Assert.Empty(_cli.Backend.Requests);
    }

    [Fact]
    public void FeaturesPrintsTheBackendsFeatures()
    {
        _cli.Backend.FeatureSet = new Features { OciVersionMin = "1.0.0", OciVersionMax = "1.2.0" };
        Assert.Equal(OciJson.SerializeFeatures(_cli.Backend.FeatureSet), _cli.Run("features").Out);
    }

    [Fact]
    public void GlobalFlagsReachTheBackendContextBeforeOrAfterTheCommand()
    {
        var plugin = new FakePlugin("fake", _cli.Backend);
        _cli.Plugins[0] = plugin;
        Ok("--root", "state-dir", "--systemd-cgroup", "list", "--rootless=false", "--debug");
        Assert.Equal(new RuntimeOptions(_cli.PathIn("state-dir"), RootlessMode.False, SystemdCgroup: true, Debug: true), plugin.Context!.Options);

        Ok("-root=/r", "list");
        Assert.Equal(new RuntimeOptions("/r"), plugin.Context!.Options);
    }

    [Fact]
    public void WithoutRootTheBackendGetsNullAndAppliesItsRules()
    {
        var plugin = new FakePlugin("fake", _cli.Backend);
        _cli.Plugins[0] = plugin;
        Ok("list");
        Assert.Equal(new RuntimeOptions(null, RootlessMode.Auto), plugin.Context!.Options);
    }

    [Theory]
    [InlineData("--rootless", "maybe", "invalid --rootless \"maybe\": use auto, true or false")]
    [InlineData("--log-format", "xml", "invalid --log-format \"xml\": use text or json")]
    public void BadGlobalValuesAreRefused(string flag, string value, string message)
    {
        var result = _cli.Run(flag, value, "list");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"hull: {message}\n", result.Err);
        Assert.Empty(_cli.Backend.Requests);
    }

    [Fact]
    public void CriuIsAcceptedWithAWarning()
    {
        var result = _cli.Run("--criu", "/usr/sbin/criu", "list");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("hull: warning: --criu is ignored", result.Err);
    }

    internal static ContainerState State(string id) => new()
    {
        OciVersion = OciVersion.Spec, Id = id, Pid = 1, Status = ContainerStatus.Created, Bundle = "/b", Rootfs = "/b/rootfs",
        Created = CliHarness.Now,
    };
}
