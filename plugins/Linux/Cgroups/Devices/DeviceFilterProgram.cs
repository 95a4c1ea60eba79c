namespace Hull.Plugins.Linux.Cgroups;

/// <summary>
/// The BPF_PROG_TYPE_CGROUP_DEVICE program for cgroup v2, generated from the emulated v1 rules. The
/// kernel calls it with struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } where
/// access_type is (BPF_DEVCG_ACC_* &lt;&lt; 16) | BPF_DEVCG_DEV_*; it returns 1 to allow, 0 to deny.
/// </summary>
internal static class DeviceFilterProgram
{
    // Opcodes (linux/bpf_common.h, linux/bpf.h).
    const byte LdxMemW = 0x61;     // BPF_LDX | BPF_MEM | BPF_W
    const byte AluAndK = 0x54;     // BPF_ALU | BPF_AND | BPF_K
    const byte AluRshK = 0x74;     // BPF_ALU | BPF_RSH | BPF_K
    const byte Alu64MovX = 0xbf;   // BPF_ALU64 | BPF_MOV | BPF_X
    const byte Alu64MovK = 0xb7;   // BPF_ALU64 | BPF_MOV | BPF_K
    const byte JmpJneK = 0x55;     // BPF_JMP | BPF_JNE | BPF_K
    const byte JmpJeqK = 0x15;     // BPF_JMP | BPF_JEQ | BPF_K
    const byte JmpExit = 0x95;     // BPF_JMP | BPF_EXIT

    const int DevBlock = 1, DevChar = 2; // BPF_DEVCG_DEV_*

    /// <summary>One instruction as the kernel lays it out: code, dst:4|src:4, s16 offset, s32 immediate.</summary>
    public readonly record struct Instruction(byte Code, byte Dst, byte Src, short Offset, int Imm)
    {
        public ulong Encode() =>
            Code | (ulong)(byte)((Src << 4) | (Dst & 0xf)) << 8 | (ulong)(ushort)Offset << 16 | (ulong)(uint)Imm << 32;
    }

    public static IReadOnlyList<Instruction> Build(DeviceEmulator rules)
    {
        var program = new List<Instruction>
        {
            // r2 = device type, r3 = requested access, r4 = major, r5 = minor
            new(LdxMemW, 2, 1, 0, 0),
            new(AluAndK, 2, 0, 0, 0xffff),
            new(LdxMemW, 3, 1, 0, 0),
            new(AluRshK, 3, 0, 0, 16),
            new(LdxMemW, 4, 1, 4, 0),
            new(LdxMemW, 5, 1, 8, 0),
        };
        var verdict = rules.DefaultAllow ? 0 : 1; // what a matching exception decides
        foreach (var e in rules.Exceptions)
        {
            // Each test jumps to the next block on a mismatch; the offsets are fixed once the block is known.
            var block = new List<Instruction> { new(JmpJneK, 2, 0, 0, e.Type == 'b' ? DevBlock : DevChar) };
            if (rules.DefaultAllow)
            {
                // Deny exception: it matches when it shares any requested bit.
                block.Add(new(Alu64MovX, 1, 3, 0, 0));
                block.Add(new(AluAndK, 1, 0, 0, (int)e.Access));
                block.Add(new(JmpJeqK, 1, 0, 0, 0));
            }
            else if (e.Access != DeviceAccess.All)
            {
                // Allow exception: it matches only when it grants every requested bit.
                block.Add(new(Alu64MovX, 1, 3, 0, 0));
                block.Add(new(AluAndK, 1, 0, 0, (int)(~e.Access & DeviceAccess.All)));
                block.Add(new(JmpJneK, 1, 0, 0, 0));
            }
            if (e.Major is { } major) block.Add(new(JmpJneK, 4, 0, 0, (int)major));
            if (e.Minor is { } minor) block.Add(new(JmpJneK, 5, 0, 0, (int)minor));
            block.Add(new(Alu64MovK, 0, 0, 0, verdict));
            block.Add(new(JmpExit, 0, 0, 0, 0));
            for (var i = 0; i < block.Count; i++)
                if (block[i].Code is JmpJneK or JmpJeqK)
                    block[i] = block[i] with { Offset = (short)(block.Count - i - 1) };
            program.AddRange(block);
        }
        program.Add(new(Alu64MovK, 0, 0, 0, rules.DefaultAllow ? 1 : 0));
        program.Add(new(JmpExit, 0, 0, 0, 0));
        return program;
    }
}
