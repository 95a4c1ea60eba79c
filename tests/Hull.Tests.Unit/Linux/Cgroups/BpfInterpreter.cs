using Hull.Plugins.Linux.Cgroups;

namespace Hull.Tests.Unit.Linux.Cgroups;

/// <summary>
/// Runs a device program the way the kernel would, for the handful of opcodes the generator uses, so the
/// tests check the program's decisions and not its bytes.
/// </summary>
internal static class BpfInterpreter
{
    public static bool Run(IReadOnlyList<DeviceFilterProgram.Instruction> program, char type, long major, long minor, DeviceAccess access)
    {
        var ctx = new uint[] { (uint)access << 16 | (type == 'b' ? 1u : 2u), (uint)major, (uint)minor };
        var r = new ulong[11];
        for (var pc = 0; pc < program.Count; pc++)
        {
            var i = program[pc];
            switch (i.Code)
            {
                case 0x61: r[i.Dst] = ctx[i.Offset / 4]; break;                      // ldxw from the context (r1)
                case 0x54: r[i.Dst] = (uint)(r[i.Dst] & (uint)i.Imm); break;           // and32 imm
                case 0x74: r[i.Dst] = (uint)r[i.Dst] >> i.Imm; break;                  // rsh32 imm
                case 0xbf: r[i.Dst] = r[i.Src]; break;                                 // mov64 reg
                case 0xb7: r[i.Dst] = (ulong)(long)i.Imm; break;                       // mov64 imm
                case 0x55: if (r[i.Dst] != (ulong)(long)i.Imm) pc += i.Offset; break;  // jne imm
                case 0x15: if (r[i.Dst] == (ulong)(long)i.Imm) pc += i.Offset; break;  // jeq imm
                case 0x95: return r[0] == 1;                                           // exit
                default: throw new InvalidOperationException($"opcode 0x{i.Code:x2} not interpreted");
            }
            if (i.Code == 0x61 && i.Src != 1) throw new InvalidOperationException("loads only from the context");
        }
        throw new InvalidOperationException("the program fell off its end");
    }
}
