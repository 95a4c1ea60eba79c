using Hull.Plugins.Linux.Seccomp;

namespace Hull.Tests.Unit.Linux.Seccomp;

/// <summary>struct seccomp_data: what the kernel hands a seccomp filter.</summary>
public sealed record SeccompData(int Nr, uint Arch, params ulong[] Args)
{
    public const uint AuditArchX86_64 = 0xC000_003E;
    public const uint AuditArchI386 = 0x4000_0003;
    public const uint AuditArchAarch64 = 0xC000_00B7;
    public const uint X32Bit = 0x4000_0000;

    public static SeccompData X86_64(int nr, params ulong[] args) => new(nr, AuditArchX86_64, args);

    /// <summary>The 64 bytes the filter reads: nr, arch, instruction pointer, six arguments (little endian).</summary>
    public byte[] Bytes()
    {
        var data = new byte[64];
        BitConverter.TryWriteBytes(data.AsSpan(0), Nr);
        BitConverter.TryWriteBytes(data.AsSpan(4), Arch);
        for (var i = 0; i < Args.Length; i++) BitConverter.TryWriteBytes(data.AsSpan(16 + 8 * i), Args[i]);
        return data;
    }
}

/// <summary>
/// A classic-BPF interpreter with the kernel's seccomp rules (forward jumps only, every path ends in
/// RET, loads aligned inside seccomp_data), so compiled filters can be run over synthetic syscalls
/// without installing them.
/// </summary>
public static class BpfInterpreter
{
    public static uint Run(byte[] program, SeccompData call) => Run(Bpf.Decode(program), call);

    internal static uint Run(IReadOnlyList<BpfInstruction> program, SeccompData call)
    {
        var data = call.Bytes();
        uint a = 0, x = 0;
        var mem = new uint[16];
        for (var pc = 0; ;)
        {
            if (pc >= program.Count) throw new InvalidOperationException($"BPF fell off the end at {pc}");
            var i = program[pc++];
            var cls = i.Code & 0x07;
            var src = (i.Code & 0x08) != 0 ? x : i.K;
            switch (cls)
            {
                case 0x00: // LD
                    a = (i.Code & 0xe0) switch
                    {
                        0x20 => Word(data, i.K),      // ABS
                        0x00 => i.K,                   // IMM
                        0x60 => mem[i.K],              // MEM
                        0x80 => (uint)data.Length,     // LEN
                        _ => throw new InvalidOperationException($"unsupported load 0x{i.Code:x2}"),
                    };
                    if ((i.Code & 0x18) != 0x00) throw new InvalidOperationException("seccomp loads only 32-bit words");
                    break;
                case 0x01: // LDX
                    x = (i.Code & 0xe0) switch
                    {
                        0x00 => i.K,
                        0x60 => mem[i.K],
                        0x80 => (uint)data.Length,
                        _ => throw new InvalidOperationException($"unsupported ldx 0x{i.Code:x2}"),
                    };
                    break;
                case 0x02: mem[i.K] = a; break; // ST
                case 0x03: mem[i.K] = x; break; // STX
                case 0x04: // ALU
                    a = (i.Code & 0xf0) switch
                    {
                        0x00 => a + src,
                        0x10 => a - src,
                        0x20 => a * src,
                        0x30 => a / src,
                        0x40 => a | src,
                        0x50 => a & src,
                        0x60 => a << (int)src,
                        0x70 => a >> (int)src,
                        0x80 => (uint)-(int)a,
                        0x90 => a % src,
                        0xa0 => a ^ src,
                        _ => throw new InvalidOperationException($"unsupported alu 0x{i.Code:x2}"),
                    };
                    break;
                case 0x05: // JMP
                    var op = i.Code & 0xf0;
                    if (op == 0x00) { pc += (int)i.K; break; }
                    var taken = op switch
                    {
                        0x10 => a == src,
                        0x20 => a > src,
                        0x30 => a >= src,
                        0x40 => (a & src) != 0,
                        _ => throw new InvalidOperationException($"unsupported jump 0x{i.Code:x2}"),
                    };
                    pc += taken ? i.Jt : i.Jf;
                    break;
                case 0x06: // RET
                    return (i.Code & 0x18) == 0x10 ? a : i.K;
                case 0x07: // MISC
                    if ((i.Code & 0xf8) == 0x00) x = a; else a = x;
                    break;
            }
        }
    }

    private static uint Word(byte[] data, uint offset)
    {
        if (offset % 4 != 0 || offset + 4 > data.Length) throw new InvalidOperationException($"seccomp load at {offset} is outside seccomp_data");
        return BitConverter.ToUInt32(data, (int)offset);
    }
}
