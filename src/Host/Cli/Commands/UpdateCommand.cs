using System.Globalization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;
using Hull.Cli.CommandLine;
using Hull.Cli.Values;

namespace Hull.Cli.Commands;

internal static class UpdateCommand
{
    public static HullCommand Build(CliSession session) => new("update", "update container resource constraints")
    {
        ArgsUsage = Operands.ContainerIdUsage,
        UsageNote = """
            The resources file (--resources) is the "resources" object of config.json's linux
            section; values left out are unchanged, for example:

            {
              "memory": { "limit": 0, "reservation": 0, "swap": 0 },
              "cpu": { "shares": 0, "quota": 0, "burst": 0, "period": 0, "realtimeRuntime": 0,
                       "realtimePeriod": 0, "cpus": "", "mems": "", "idle": 0 },
              "blockIO": { "weight": 0 },
              "pids": { "limit": 0 }
            }

            With --resources, the other resource flags are ignored. Memory sizes take units:
            512m, 1g, 2GiB.
            """,
        Define = command =>
        {
            var resources = Flags.Text("--resources",
                "path to the file containing the resources to update or '-' to read from the standard input", "-r");
            var blkioWeight = Flags.Text("--blkio-weight", "Specifies per cgroup weight, range is from 10 to 1000");
            var cpuPeriod = Flags.Text("--cpu-period", "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default");
            var cpuQuota = Flags.Text("--cpu-quota", "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period");
            var cpuBurst = Flags.Text("--cpu-burst", "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period");
            var cpuShare = Flags.Text("--cpu-share", "CPU shares (relative weight vs. other containers)");
            var cpuRtPeriod = Flags.Text("--cpu-rt-period", "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default");
            var cpuRtRuntime = Flags.Text("--cpu-rt-runtime", "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period");
            var cpusetCpus = Flags.Text("--cpuset-cpus", "CPU(s) to use");
            var cpusetMems = Flags.Text("--cpuset-mems", "Memory node(s) to use");
            var cpuIdle = Flags.Text("--cpu-idle", "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE");
            var memory = Flags.Text("--memory", "Memory limit (in bytes)");
            var memoryReservation = Flags.Text("--memory-reservation", "Memory reservation or soft_limit (in bytes)");
            var memorySwap = Flags.Text("--memory-swap", "Total memory usage (memory + swap); set '-1' to enable unlimited swap");
            var pidsLimit = Flags.Text("--pids-limit", "Maximum number of pids allowed in the container");
            var l3CacheSchema = Flags.Text("--l3-cache-schema", "The string of Intel RDT/CAT L3 cache schema");
            var memBwSchema = Flags.Text("--mem-bw-schema", "The string of Intel RDT/MBA memory bandwidth schema");
            var id = Operands.ContainerId();
            command.Arguments.Add(id);
            foreach (var option in new System.CommandLine.Option[]
                     {
                         resources, blkioWeight, cpuPeriod, cpuQuota, cpuBurst, cpuShare, cpuRtPeriod, cpuRtRuntime, cpusetCpus,
                         cpusetMems, cpuIdle, memory, memoryReservation, memorySwap, pidsLimit, l3CacheSchema, memBwSchema,
                     })
                command.Options.Add(option);

            command.SetAction(result =>
            {
                LinuxResources limits;
                if (result.GetValue(resources) is { Length: > 0 } source)
                    limits = ReadResources(source, session);
                else
                {
                    // Only the flags given change anything; the rest stay null ("unchanged").
                    string? Given(System.CommandLine.Option<string?> option) => result.GetValue(option) is { Length: > 0 } v ? v : null;
                    var weight = Parse(Given(blkioWeight), blkioWeight.Name, ushort.Parse, "a weight from 10 to 1000");
                    var cpu = new LinuxCpu
                    {
                        Period = Parse(Given(cpuPeriod), cpuPeriod.Name, ulong.Parse, "microseconds as a whole number"),
                        Quota = Parse(Given(cpuQuota), cpuQuota.Name, long.Parse, "microseconds as a whole number"),
                        Burst = Parse(Given(cpuBurst), cpuBurst.Name, ulong.Parse, "microseconds as a whole number"),
                        Shares = Parse(Given(cpuShare), cpuShare.Name, ulong.Parse, "a whole number"),
                        RealtimePeriod = Parse(Given(cpuRtPeriod), cpuRtPeriod.Name, ulong.Parse, "microseconds as a whole number"),
                        RealtimeRuntime = Parse(Given(cpuRtRuntime), cpuRtRuntime.Name, long.Parse, "microseconds as a whole number"),
                        Cpus = Given(cpusetCpus),
                        Mems = Given(cpusetMems),
                        Idle = Parse(Given(cpuIdle), cpuIdle.Name, long.Parse, "0 or 1"),
                    };
                    var mem = new LinuxMemory
                    {
                        Limit = Memory(Given(memory), memory.Name),
                        Reservation = Memory(Given(memoryReservation), memoryReservation.Name),
                        Swap = Memory(Given(memorySwap), memorySwap.Name),
                    };
                    var pids = Parse(Given(pidsLimit), pidsLimit.Name, long.Parse, "a whole number");
                    limits = new LinuxResources
                    {
                        Cpu = cpu == new LinuxCpu() ? null : cpu,
                        Memory = mem == new LinuxMemory() ? null : mem,
                        // runc ignores a blkio weight of 0.
                        BlockIO = weight is null or 0 ? null : new LinuxBlockIO { Weight = weight },
                        Pids = pids is null ? null : new LinuxPids { Limit = pids.Value },
                    };
                }
                session.Backend.Update(new UpdateRequest(result.GetValue(id)!, limits)
                {
                    L3CacheSchema = result.GetValue(l3CacheSchema),
                    MemBwSchema = result.GetValue(memBwSchema),
                });
                return 0;
            });
        },
    };

    private static LinuxResources ReadResources(string source, CliSession session)
    {
        if (source == "-")
            return OciJson.ParseResources(session.Environment.In().ReadToEnd(), "resources from standard input");
        var path = session.FullPath(source);
        try
        {
            return OciJson.ParseResources(File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HullException($"cannot read the resources file {path}: {e.Message}");
        }
    }

    private static T? Parse<T>(string? text, string flag, Func<string, IFormatProvider, T> parse, string expected) where T : struct
    {
        if (text is null)
            return null;
        try
        {
            return parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new UsageException(Flags.Invalid(text, flag, expected));
        }
    }

    /// <summary>A memory flag: bytes with an optional unit, or -1 for unlimited.</summary>
    private static long? Memory(string? text, string flag)
    {
        if (text is null)
            return null;
        if (text == "-1")
            return -1;
        return ByteSize.TryParse(text, out var bytes) ? bytes : throw new UsageException(Flags.Invalid(text, flag, "a size in bytes such as 512m or 1g, or -1"));
    }
}
