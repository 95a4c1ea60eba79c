using Hull.Abstractions.Runtime;
using Hull.Plugins.Linux.Seccomp;

namespace Hull.Tests.Unit.Linux.Seccomp;

/// <summary>A kernel that supports the flags it is given and records what it is asked to install.</summary>
internal sealed class FakeSeccompKernel(uint supportedFlags = 0xff) : ISeccompKernel
{
    public List<(uint Flags, byte[] Program)> Installed { get; } = [];
    public int Result { get; set; }

    public bool FilterFlagsSupported(uint flags) => (flags & ~supportedFlags) == 0;

    public int SetModeFilter(uint flags, ReadOnlySpan<byte> program)
    {
        Installed.Add((flags, program.ToArray()));
        return Result;
    }
}

internal sealed class RecordingLog : IHullLog
{
    public List<string> Debugs { get; } = [];
    public List<string> Warnings { get; } = [];
    public bool IsDebugEnabled => true;
    public void Debug(string message) => Debugs.Add(message);
    public void Info(string message) { }
    public void Warn(string message) => Warnings.Add(message);
    public void Error(string message) { }
}
