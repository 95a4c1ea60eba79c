using System.Runtime.InteropServices;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Seccomp;
using Xunit;

namespace Hull.Tests.Unit.Linux.Seccomp;

/// <summary>The installer, the listener state document, the features and the -ENOSYS stub, without root.</summary>
public class SeccompInstallTests
{
    private static readonly SeccompFilter AllowAll = new() { Program = Bpf.Encode([new BpfInstruction(Bpf.RetK, 0, 0, 0x7fff_0000)]), Flags = 4 };

    [Fact]
    public void InstallPassesTheProgramAndFlagsAndReturnsNoFdWithoutAListener()
    {
        var kernel = new FakeSeccompKernel { Result = 0 };
        Assert.Equal(-1, AllowAll.Install(kernel));
        var (flags, program) = Assert.Single(kernel.Installed);
        Assert.Equal(4u, flags);
        Assert.Equal(AllowAll.Program, program);
    }

    [Fact]
    public void InstallReturnsTheListenerFdWhenTheFilterNotifies()
    {
        var kernel = new FakeSeccompKernel { Result = 7 };
        Assert.Equal(7, (AllowAll with { Flags = 8 }).Install(kernel));
        Assert.True((AllowAll with { Flags = 8 | 4 }).HasListener);
    }

    [Theory]
    [InlineData(13, "needs no_new_privs or CAP_SYS_ADMIN")]
    [InlineData(16, "only one")]
    [InlineData(12, "limit")]
    [InlineData(22, "Invalid argument")]
    public void InstallFailuresSayWhatIsWrong(int errno, string expected)
    {
        var e = Assert.Throws<HullException>(() => AllowAll.Install(new FakeSeccompKernel { Result = -errno }));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TheFilterTravelsAsJson()
    {
        var json = JsonSerializer.Serialize(AllowAll, TestJson.Default.SeccompFilter);
        Assert.Equal("""{"program":"BgAAAAAA/38=","flags":4}""", json);
        var back = JsonSerializer.Deserialize(json, TestJson.Default.SeccompFilter)!;
        Assert.Equal(AllowAll.Program, back.Program);
        Assert.Equal(AllowAll.Flags, back.Flags);
    }

    [Fact]
    public void TheContainerProcessStateIsTheSpecDocument()
    {
        var state = new ContainerProcessState
        {
            Pid = 4422,
            Metadata = "MKNOD=/dev/null",
            State = new RuntimeState
            {
                Id = "c1",
                Status = "running",
                Pid = 4400,
                Bundle = "/b",
                Annotations = new Dictionary<string, string> { ["k"] = "v" },
            },
        };
        Assert.Equal(
            """{"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":4422,"metadata":"MKNOD=/dev/null","state":{"ociVersion":"1.0.2-dev","id":"c1","status":"running","pid":4400,"bundle":"/b","annotations":{"k":"v"}}}""",
            JsonSerializer.Serialize(state, SeccompJsonContext.Default.ContainerProcessState));

        var bare = state with { Metadata = "", State = state.State with { Pid = 0, Annotations = new Dictionary<string, string>() } };
        Assert.Equal(
            """{"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":4422,"state":{"ociVersion":"1.0.2-dev","id":"c1","status":"running","bundle":"/b"}}""",
            JsonSerializer.Serialize(bare, SeccompJsonContext.Default.ContainerProcessState));
    }

    [SkippableFact]
    public void FeaturesListTheVocabularyAndTheFlagsThisKernelTakes()
    {
        Skip.IfNot(NativeLibrary.TryLoad("libseccomp.so.2", out _), "libseccomp.so.2 is not installed");
        var features = SeccompSupport.Features(new FakeSeccompKernel(supportedFlags: 2 | 4));
        Assert.True(features.Enabled);
        Assert.Contains("SCMP_ACT_KILL_PROCESS", features.Actions!);
        Assert.Equal(9, features.Actions!.Count);
        Assert.Equal(7, features.Operators!.Count);
        Assert.Contains("SCMP_ARCH_X86_64", features.Archs!);
        Assert.Equal(["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], features.KnownFlags);
        Assert.Equal(["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"], features.SupportedFlags);
    }

    [Fact]
    public void TheVocabularyIsTheOneTheOciModelNames()
    {
        Assert.Equal(OciNames.SeccompActions, SeccompNames.Actions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(OciNames.SeccompOperators, SeccompNames.Operators.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(OciNames.SeccompArchs.Except(SeccompNames.Architectures.Keys));
        Assert.Empty(OciNames.SeccompFlags.Except(SeccompNames.Flags.Keys));
    }

    [Fact]
    public void TheStubIsEmptyWithoutLimitsAndGuardsS390sMultiplexedZero()
    {
        Assert.Empty(EnosysStub.Build([]));
        Assert.Empty(EnosysStub.Build([new EnosysStub.ArchLimit(EnosysStub.AuditArchX86_64, null)]));

        // Followed by an "allow everything" filter, as the compiler would prepend it.
        var stub = EnosysStub.Build([new EnosysStub.ArchLimit(EnosysStub.AuditArchS390X, 300)]);
        BpfInstruction[] program = [.. stub, new BpfInstruction(Bpf.RetK, 0, 0, 0x7fff_0000)];
        uint Run(int nr, uint arch) => BpfInterpreter.Run(program, new SeccompData(nr, arch));
        Assert.Equal(0x0005_0000u | 38, Run(0, EnosysStub.AuditArchS390X));
        Assert.Equal(0x0005_0000u | 38, Run(301, EnosysStub.AuditArchS390X));
        Assert.Equal(0x7fff_0000u, Run(300, EnosysStub.AuditArchS390X));
        Assert.Equal(0x7fff_0000u, Run(301, EnosysStub.AuditArchX86_64));
    }

    [Fact]
    public void TheAssemblerRefusesJumpsItCannotEncode()
    {
        var asm = new BpfAssembler();
        var far = asm.NewLabel();
        asm.JumpIf(Bpf.JeqK, 1, far);
        for (var i = 0; i < 300; i++) asm.Return(0);
        asm.Mark(far);
        Assert.Throws<InvalidOperationException>(asm.Assemble);

        var never = new BpfAssembler();
        never.Jump(never.NewLabel());
        Assert.Throws<InvalidOperationException>(never.Assemble);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SeccompFilter))]
internal sealed partial class TestJson : System.Text.Json.Serialization.JsonSerializerContext;
