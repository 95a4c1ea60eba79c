using System.Runtime.InteropServices;
using System.Text;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Cgroups;

/// <summary>The seam for installing a cgroup v2 device program (the kernel needs root; unit tests fake it).</summary>
internal interface IDeviceFilterLoader
{
    /// <summary>Makes the program the cgroup's only device filter.</summary>
    void Install(string cgroupDir, IReadOnlyList<DeviceFilterProgram.Instruction> program);
}

/// <summary>
/// Loads a BPF_PROG_TYPE_CGROUP_DEVICE program and attaches it to a cgroup with BPF_F_ALLOW_MULTI, then
/// detaches the programs that were there before; the new one is in place first, so there is no moment
/// without a filter. The attachment keeps the program alive after hull exits.
/// </summary>
internal sealed unsafe class BpfDeviceFilter : IDeviceFilterLoader
{
    public static BpfDeviceFilter Instance { get; } = new();

    const int ProgLoad = 5, ProgAttach = 8, ProgDetach = 9, ProgGetFdById = 13, ProgQuery = 16; // enum bpf_cmd
    const int ProgTypeCgroupDevice = 15;
    const int AttachCgroupDevice = 6;
    const int FlagAllowMulti = 2;

    public void Install(string cgroupDir, IReadOnlyList<DeviceFilterProgram.Instruction> program)
    {
        var cgroup = CgroupNative.Open(cgroupDir, CgroupNative.O_RDONLY | CgroupNative.O_DIRECTORY | CgroupNative.O_CLOEXEC, 0);
        if (cgroup < 0) throw Failure($"cannot open cgroup {cgroupDir}");
        try
        {
            var old = Query(cgroup);
            var prog = Load(program);
            try
            {
                Attach(ProgAttach, cgroup, prog, FlagAllowMulti, "attach the device filter to " + cgroupDir);
            }
            finally { CgroupNative.Close(prog); }
            foreach (var id in old) Detach(cgroup, id, cgroupDir);
        }
        finally { CgroupNative.Close(cgroup); }
    }

    static int Load(IReadOnlyList<DeviceFilterProgram.Instruction> program)
    {
        var insns = program.Select(i => i.Encode()).ToArray();
        var license = "Apache\0"u8.ToArray();
        fixed (ulong* pi = insns)
        fixed (byte* pl = license)
        {
            var attr = stackalloc byte[128];
            new Span<byte>(attr, 128).Clear();
            *(uint*)(attr + 0) = ProgTypeCgroupDevice;
            *(uint*)(attr + 4) = (uint)insns.Length;
            *(ulong*)(attr + 8) = (ulong)pi;
            *(ulong*)(attr + 16) = (ulong)pl;
            var fd = CgroupNative.Bpf(ProgLoad, attr, 128);
            if (fd >= 0) return fd;
            var errno = Marshal.GetLastPInvokeError();
            // Load again with the verifier's log so the error says what it rejected.
            var log = new byte[16384];
            fixed (byte* plog = log)
            {
                *(uint*)(attr + 24) = 1;
                *(uint*)(attr + 28) = (uint)log.Length;
                *(ulong*)(attr + 32) = (ulong)plog;
                CgroupNative.Bpf(ProgLoad, attr, 128);
            }
            var text = Encoding.UTF8.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0))).Trim();
            throw new CgroupException($"cannot load the cgroup v2 device filter (eBPF): {CgroupNative.ErrorText(errno)}{(text.Length > 0 ? "; verifier: " + text : "")}");
        }
    }

    static List<uint> Query(int cgroup)
    {
        var ids = new uint[64];
        fixed (uint* pids = ids)
        {
            var attr = stackalloc byte[128];
            new Span<byte>(attr, 128).Clear();
            *(uint*)(attr + 0) = (uint)cgroup;
            *(uint*)(attr + 4) = AttachCgroupDevice;
            *(ulong*)(attr + 16) = (ulong)pids;
            *(uint*)(attr + 24) = (uint)ids.Length;
            if (CgroupNative.Bpf(ProgQuery, attr, 128) < 0) throw Failure("cannot list the cgroup's device filters");
            return ids.Take((int)*(uint*)(attr + 24)).ToList();
        }
    }

    static void Detach(int cgroup, uint id, string cgroupDir)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        *(uint*)attr = id;
        var prog = CgroupNative.Bpf(ProgGetFdById, attr, 128);
        if (prog < 0) return; // already gone
        try { Attach(ProgDetach, cgroup, prog, 0, "detach the previous device filter from " + cgroupDir); }
        finally { CgroupNative.Close(prog); }
    }

    static void Attach(int command, int cgroup, int prog, int flags, string what)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        *(uint*)(attr + 0) = (uint)cgroup;
        *(uint*)(attr + 4) = (uint)prog;
        *(uint*)(attr + 8) = AttachCgroupDevice;
        *(uint*)(attr + 12) = (uint)flags;
        if (CgroupNative.Bpf(command, attr, 128) < 0) throw Failure("cannot " + what);
    }

    static CgroupException Failure(string what) =>
        new($"{what}: {CgroupNative.ErrorText(Marshal.GetLastPInvokeError())}");
}
