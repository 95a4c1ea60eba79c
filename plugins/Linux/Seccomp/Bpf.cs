using System.Buffers.Binary;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>One classic-BPF instruction (struct sock_filter).</summary>
internal readonly record struct BpfInstruction(ushort Code, byte Jt, byte Jf, uint K)
{
    public override string ToString() => $"{{0x{Code:x2}, {Jt}, {Jf}, 0x{K:x8}}}";
}

/// <summary>The classic-BPF encoding seccomp uses: opcodes, struct sock_filter in host byte order.</summary>
internal static class Bpf
{
    internal const ushort LdWAbs = 0x20;   // BPF_LD | BPF_W | BPF_ABS
    internal const ushort Ja = 0x05;       // BPF_JMP | BPF_JA
    internal const ushort JeqK = 0x15;     // BPF_JMP | BPF_JEQ | BPF_K
    internal const ushort JgtK = 0x25;     // BPF_JMP | BPF_JGT | BPF_K
    internal const ushort JsetK = 0x45;    // BPF_JMP | BPF_JSET | BPF_K
    internal const ushort RetK = 0x06;     // BPF_RET | BPF_K

    internal const int InstructionSize = 8;
    /// <summary>BPF_MAXINSNS: the kernel refuses longer programs.</summary>
    internal const int MaxInstructions = 4096;

    /// <summary>struct seccomp_data offsets.</summary>
    internal const uint OffsetNr = 0, OffsetArch = 4;

    internal static BpfInstruction[] Decode(ReadOnlySpan<byte> program)
    {
        if (program.Length % InstructionSize != 0)
            throw new InvalidDataException($"a BPF program of {program.Length} bytes is not a whole number of instructions");
        var result = new BpfInstruction[program.Length / InstructionSize];
        for (var i = 0; i < result.Length; i++)
        {
            var insn = program.Slice(i * InstructionSize, InstructionSize);
            result[i] = new BpfInstruction(
                BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(insn) : BinaryPrimitives.ReadUInt16BigEndian(insn),
                insn[2], insn[3],
                BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(insn[4..]) : BinaryPrimitives.ReadUInt32BigEndian(insn[4..]));
        }
        return result;
    }

    internal static byte[] Encode(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * InstructionSize];
        for (var i = 0; i < program.Count; i++)
        {
            var insn = bytes.AsSpan(i * InstructionSize, InstructionSize);
            var p = program[i];
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(insn, p.Code);
                BinaryPrimitives.WriteUInt32LittleEndian(insn[4..], p.K);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(insn, p.Code);
                BinaryPrimitives.WriteUInt32BigEndian(insn[4..], p.K);
            }
            insn[2] = p.Jt;
            insn[3] = p.Jf;
        }
        return bytes;
    }
}

/// <summary>
/// Builds a short BPF program with forward jumps to named places, so generated code never counts
/// instruction offsets by hand.
/// </summary>
internal sealed class BpfAssembler
{
    internal readonly record struct Label(int Id);

    private readonly List<(ushort Code, uint K, Label? OnTrue, Label? OnFalse)> code = [];
    private readonly List<int> marks = [];

    internal Label NewLabel()
    {
        marks.Add(-1);
        return new Label(marks.Count - 1);
    }

    /// <summary>The next instruction emitted (or the end of the program) is where label points.</summary>
    internal void Mark(Label label) => marks[label.Id] = code.Count;

    internal void LoadAbsolute(uint offset) => code.Add((Bpf.LdWAbs, offset, null, null));

    /// <summary>A conditional jump; a null target means "fall through to the next instruction".</summary>
    internal void JumpIf(ushort condition, uint k, Label? onTrue, Label? onFalse = null) => code.Add((condition, k, onTrue, onFalse));

    internal void Jump(Label target) => code.Add((Bpf.Ja, 0, target, null));

    internal void Return(uint value) => code.Add((Bpf.RetK, value, null, null));

    internal BpfInstruction[] Assemble()
    {
        var result = new BpfInstruction[code.Count];
        for (var i = 0; i < code.Count; i++)
        {
            var (op, k, onTrue, onFalse) = code[i];
            result[i] = op == Bpf.Ja
                ? new BpfInstruction(op, 0, 0, (uint)Distance(i, onTrue!.Value))
                : new BpfInstruction(op, Short(i, onTrue), Short(i, onFalse), k);
        }
        return result;
    }

    private int Distance(int from, Label to)
    {
        var target = marks[to.Id];
        if (target < 0) throw new InvalidOperationException($"BPF label {to.Id} was never placed");
        var distance = target - (from + 1);
        if (distance < 0) throw new InvalidOperationException("classic BPF only jumps forward");
        return distance;
    }

    private byte Short(int from, Label? to)
    {
        if (to is null) return 0;
        var distance = Distance(from, to.Value);
        if (distance > byte.MaxValue) throw new InvalidOperationException($"BPF conditional jump of {distance} does not fit in 8 bits");
        return (byte)distance;
    }
}
