using System.Text.Json;

namespace Hull.Abstractions.Oci;

/// <summary>
/// config.json (and process.json, a resources document) read by hand from a parsed JsonDocument,
/// into exactly the records the source-generated serializer builds. Why: the serializer's first
/// use in a process builds the metadata of every record by reflection over attributes, about 3 ms,
/// and both hull and the container's init are fresh processes on `create`'s path. It follows the
/// serializer's rules (names exact or ignoring case, unknown members ignored, null is the record's
/// default) and gives up on anything else (a wrong type, a number out of range, a non-ASCII name),
/// returning null: <see cref="OciJson"/> then lets the serializer read the document and explain.
/// </summary>
internal static class SpecReader
{
    public static Spec? TrySpec(JsonElement e) => Try(e, Spec);

    public static Process? TryProcess(JsonElement e) => Try(e, Process);

    public static LinuxResources? TryResources(JsonElement e) => Try(e, Resources);

    static T? Try<T>(JsonElement e, Func<JsonElement, T?> read) where T : class
    {
        try { return read(e); }
        catch (Unexpected) { return null; }
    }

    sealed class Unexpected : Exception;

    static Spec? Spec(JsonElement e) => Obj(e, new Spec(), static (r, key, v) => key switch
    {
        "ociversion" => r with { OciVersion = Str(v)! },
        "process" => r with { Process = Process(v) },
        "root" => r with { Root = Obj(v, new Root(), static (r, key, v) => key switch
        {
            "path" => r with { Path = Str(v)! },
            "readonly" => r with { Readonly = Bool(v) },
            _ => r,
        }) },
        "hostname" => r with { Hostname = Str(v) },
        "domainname" => r with { Domainname = Str(v) },
        "mounts" => r with { Mounts = List(v, Mount) },
        "hooks" => r with { Hooks = Hooks(v) },
        "annotations" => r with { Annotations = Dict(v, Str) },
        "linux" => r with { Linux = Linux(v) },
        _ => r,
    });

    static Process? Process(JsonElement e) => Obj(e, new Process(), static (r, key, v) => key switch
    {
        "terminal" => r with { Terminal = Bool(v) },
        "consolesize" => r with { ConsoleSize = Obj(v, new Box(), static (r, key, v) => key switch
        {
            "height" => r with { Height = U32(v) },
            "width" => r with { Width = U32(v) },
            _ => r,
        }) },
        "user" => r with { User = Obj(v, new User(), static (r, key, v) => key switch
        {
            "uid" => r with { Uid = U32(v) },
            "gid" => r with { Gid = U32(v) },
            "umask" => r with { Umask = Nullable(v, U32) },
            "additionalgids" => r with { AdditionalGids = List(v, U32) },
            "username" => r with { Username = Str(v) },
            _ => r,
        })! },
        "args" => r with { Args = List(v, Str) },
        "commandline" => r with { CommandLine = Str(v) },
        "env" => r with { Env = List(v, Str) },
        "cwd" => r with { Cwd = Str(v)! },
        "capabilities" => r with { Capabilities = Obj(v, new LinuxCapabilities(), static (r, key, v) => key switch
        {
            "bounding" => r with { Bounding = List(v, Str) },
            "effective" => r with { Effective = List(v, Str) },
            "inheritable" => r with { Inheritable = List(v, Str) },
            "permitted" => r with { Permitted = List(v, Str) },
            "ambient" => r with { Ambient = List(v, Str) },
            _ => r,
        }) },
        "rlimits" => r with { Rlimits = List(v, static e => Obj(e, new PosixRlimit(), static (r, key, v) => key switch
        {
            "type" => r with { Type = Str(v)! },
            "hard" => r with { Hard = U64(v) },
            "soft" => r with { Soft = U64(v) },
            _ => r,
        })) },
        "nonewprivileges" => r with { NoNewPrivileges = Bool(v) },
        "apparmorprofile" => r with { ApparmorProfile = Str(v) },
        "oomscoreadj" => r with { OomScoreAdj = Nullable(v, I32) },
        "scheduler" => r with { Scheduler = Obj(v, new Scheduler(), static (r, key, v) => key switch
        {
            "policy" => r with { Policy = Str(v)! },
            "nice" => r with { Nice = I32(v) },
            "priority" => r with { Priority = I32(v) },
            "flags" => r with { Flags = List(v, Str) },
            "runtime" => r with { Runtime = U64(v) },
            "deadline" => r with { Deadline = U64(v) },
            "period" => r with { Period = U64(v) },
            _ => r,
        }) },
        "selinuxlabel" => r with { SelinuxLabel = Str(v) },
        "iopriority" => r with { IOPriority = Obj(v, new LinuxIOPriority(), static (r, key, v) => key switch
        {
            "class" => r with { Class = Str(v)! },
            "priority" => r with { Priority = I32(v) },
            _ => r,
        }) },
        "execcpuaffinity" => r with { ExecCpuAffinity = Obj(v, new CpuAffinity(), static (r, key, v) => key switch
        {
            "initial" => r with { Initial = Str(v) },
            "final" => r with { Final = Str(v) },
            _ => r,
        }) },
        _ => r,
    });

    static Mount? Mount(JsonElement e) => Obj(e, new Mount(), static (r, key, v) => key switch
    {
        "destination" => r with { Destination = Str(v)! },
        "type" => r with { Type = Str(v) },
        "source" => r with { Source = Str(v) },
        "options" => r with { Options = List(v, Str) },
        "uidmappings" => r with { UidMappings = List(v, IdMapping) },
        "gidmappings" => r with { GidMappings = List(v, IdMapping) },
        _ => r,
    });

    static LinuxIdMapping? IdMapping(JsonElement e) => Obj(e, new LinuxIdMapping(), static (r, key, v) => key switch
    {
        "containerid" => r with { ContainerId = U32(v) },
        "hostid" => r with { HostId = U32(v) },
        "size" => r with { Size = U32(v) },
        _ => r,
    });

    static Hooks? Hooks(JsonElement e) => Obj(e, new Hooks(), static (r, key, v) => key switch
    {
        "prestart" => r with { Prestart = List(v, Hook) },
        "createruntime" => r with { CreateRuntime = List(v, Hook) },
        "createcontainer" => r with { CreateContainer = List(v, Hook) },
        "startcontainer" => r with { StartContainer = List(v, Hook) },
        "poststart" => r with { Poststart = List(v, Hook) },
        "poststop" => r with { Poststop = List(v, Hook) },
        _ => r,
    });

    static Hook? Hook(JsonElement e) => Obj(e, new Hook(), static (r, key, v) => key switch
    {
        "path" => r with { Path = Str(v)! },
        "args" => r with { Args = List(v, Str) },
        "env" => r with { Env = List(v, Str) },
        "timeout" => r with { Timeout = Nullable(v, I32) },
        _ => r,
    });

    static Linux? Linux(JsonElement e) => Obj(e, new Linux(), static (r, key, v) => key switch
    {
        "uidmappings" => r with { UidMappings = List(v, IdMapping) },
        "gidmappings" => r with { GidMappings = List(v, IdMapping) },
        "sysctl" => r with { Sysctl = Dict(v, Str) },
        "resources" => r with { Resources = Resources(v) },
        "cgroupspath" => r with { CgroupsPath = Str(v) },
        "namespaces" => r with { Namespaces = List(v, static e => Obj(e, new LinuxNamespace(), static (r, key, v) => key switch
        {
            "type" => r with { Type = Str(v)! },
            "path" => r with { Path = Str(v) },
            _ => r,
        })) },
        "devices" => r with { Devices = List(v, static e => Obj(e, new LinuxDevice(), static (r, key, v) => key switch
        {
            "path" => r with { Path = Str(v)! },
            "type" => r with { Type = Str(v)! },
            "major" => r with { Major = I64(v) },
            "minor" => r with { Minor = I64(v) },
            "filemode" => r with { FileMode = Nullable(v, U32) },
            "uid" => r with { Uid = Nullable(v, U32) },
            "gid" => r with { Gid = Nullable(v, U32) },
            _ => r,
        })) },
        "seccomp" => r with { Seccomp = Seccomp(v) },
        "rootfspropagation" => r with { RootfsPropagation = Str(v) },
        "maskedpaths" => r with { MaskedPaths = List(v, Str) },
        "readonlypaths" => r with { ReadonlyPaths = List(v, Str) },
        "mountlabel" => r with { MountLabel = Str(v) },
        "intelrdt" => r with { IntelRdt = Obj(v, new LinuxIntelRdt(), static (r, key, v) => key switch
        {
            "closid" => r with { ClosId = Str(v) },
            "schemata" => r with { Schemata = Str(v) },
            "l3cacheschema" => r with { L3CacheSchema = Str(v) },
            "membwschema" => r with { MemBwSchema = Str(v) },
            "enablecmt" => r with { EnableCmt = Bool(v) },
            "enablembm" => r with { EnableMbm = Bool(v) },
            _ => r,
        }) },
        "personality" => r with { Personality = Obj(v, new LinuxPersonality(), static (r, key, v) => key switch
        {
            "domain" => r with { Domain = Str(v)! },
            "flags" => r with { Flags = List(v, Str) },
            _ => r,
        }) },
        "timeoffsets" => r with { TimeOffsets = Dict(v, static e => Obj(e, new LinuxTimeOffset(), static (r, key, v) => key switch
        {
            "secs" => r with { Secs = I64(v) },
            "nanosecs" => r with { Nanosecs = U32(v) },
            _ => r,
        })) },
        "netdevices" => r with { NetDevices = Dict(v, static e => Obj(e, new LinuxNetDevice(), static (r, key, v) => key switch
        {
            "name" => r with { Name = Str(v) },
            _ => r,
        })) },
        "memorypolicy" => r with { MemoryPolicy = Obj(v, new LinuxMemoryPolicy(), static (r, key, v) => key switch
        {
            "mode" => r with { Mode = Str(v)! },
            "nodes" => r with { Nodes = Str(v) },
            "flags" => r with { Flags = List(v, Str) },
            _ => r,
        }) },
        _ => r,
    });

    static LinuxSeccomp? Seccomp(JsonElement e) => Obj(e, new LinuxSeccomp(), static (r, key, v) => key switch
    {
        "defaultaction" => r with { DefaultAction = Str(v)! },
        "defaulterrnoret" => r with { DefaultErrnoRet = Nullable(v, U32) },
        "architectures" => r with { Architectures = List(v, Str) },
        "flags" => r with { Flags = List(v, Str) },
        "listenerpath" => r with { ListenerPath = Str(v) },
        "listenermetadata" => r with { ListenerMetadata = Str(v) },
        "syscalls" => r with { Syscalls = List(v, static e => Obj(e, new LinuxSyscall(), static (r, key, v) => key switch
        {
            "names" => r with { Names = List(v, Str)! },
            "action" => r with { Action = Str(v)! },
            "errnoret" => r with { ErrnoRet = Nullable(v, U32) },
            "args" => r with { Args = List(v, static e => Obj(e, new LinuxSeccompArg(), static (r, key, v) => key switch
            {
                "index" => r with { Index = U32(v) },
                "value" => r with { Value = U64(v) },
                "valuetwo" => r with { ValueTwo = U64(v) },
                "op" => r with { Op = Str(v)! },
                _ => r,
            })) },
            _ => r,
        })) },
        _ => r,
    });

    static LinuxResources? Resources(JsonElement e) => Obj(e, new LinuxResources(), static (r, key, v) => key switch
    {
        "devices" => r with { Devices = List(v, static e => Obj(e, new LinuxDeviceCgroup(), static (r, key, v) => key switch
        {
            "allow" => r with { Allow = Bool(v) },
            "type" => r with { Type = Str(v) },
            "major" => r with { Major = Nullable(v, I64) },
            "minor" => r with { Minor = Nullable(v, I64) },
            "access" => r with { Access = Str(v) },
            _ => r,
        })) },
        "memory" => r with { Memory = Obj(v, new LinuxMemory(), static (r, key, v) => key switch
        {
            "limit" => r with { Limit = Nullable(v, I64) },
            "reservation" => r with { Reservation = Nullable(v, I64) },
            "swap" => r with { Swap = Nullable(v, I64) },
            "kernel" => r with { Kernel = Nullable(v, I64) },
            "kerneltcp" => r with { KernelTcp = Nullable(v, I64) },
            "swappiness" => r with { Swappiness = Nullable(v, U64) },
            "disableoomkiller" => r with { DisableOomKiller = Nullable(v, Bool) },
            "usehierarchy" => r with { UseHierarchy = Nullable(v, Bool) },
            "checkbeforeupdate" => r with { CheckBeforeUpdate = Nullable(v, Bool) },
            _ => r,
        }) },
        "cpu" => r with { Cpu = Obj(v, new LinuxCpu(), static (r, key, v) => key switch
        {
            "shares" => r with { Shares = Nullable(v, U64) },
            "quota" => r with { Quota = Nullable(v, I64) },
            "burst" => r with { Burst = Nullable(v, U64) },
            "period" => r with { Period = Nullable(v, U64) },
            "realtimeruntime" => r with { RealtimeRuntime = Nullable(v, I64) },
            "realtimeperiod" => r with { RealtimePeriod = Nullable(v, U64) },
            "cpus" => r with { Cpus = Str(v) },
            "mems" => r with { Mems = Str(v) },
            "idle" => r with { Idle = Nullable(v, I64) },
            _ => r,
        }) },
        "pids" => r with { Pids = Obj(v, new LinuxPids(), static (r, key, v) => key switch
        {
            "limit" => r with { Limit = I64(v) },
            _ => r,
        }) },
        "blockio" => r with { BlockIO = Obj(v, new LinuxBlockIO(), static (r, key, v) => key switch
        {
            "weight" => r with { Weight = Nullable(v, U16) },
            "leafweight" => r with { LeafWeight = Nullable(v, U16) },
            "weightdevice" => r with { WeightDevice = List(v, static e => Obj(e, new LinuxWeightDevice(), static (r, key, v) => key switch
            {
                "major" => r with { Major = I64(v) },
                "minor" => r with { Minor = I64(v) },
                "weight" => r with { Weight = Nullable(v, U16) },
                "leafweight" => r with { LeafWeight = Nullable(v, U16) },
                _ => r,
            })) },
            "throttlereadbpsdevice" => r with { ThrottleReadBpsDevice = List(v, ThrottleDevice) },
            "throttlewritebpsdevice" => r with { ThrottleWriteBpsDevice = List(v, ThrottleDevice) },
            "throttlereadiopsdevice" => r with { ThrottleReadIopsDevice = List(v, ThrottleDevice) },
            "throttlewriteiopsdevice" => r with { ThrottleWriteIopsDevice = List(v, ThrottleDevice) },
            _ => r,
        }) },
        "hugepagelimits" => r with { HugepageLimits = List(v, static e => Obj(e, new LinuxHugepageLimit(), static (r, key, v) => key switch
        {
            "pagesize" => r with { Pagesize = Str(v)! },
            "limit" => r with { Limit = U64(v) },
            _ => r,
        })) },
        "network" => r with { Network = Obj(v, new LinuxNetwork(), static (r, key, v) => key switch
        {
            "classid" => r with { ClassId = Nullable(v, U32) },
            "priorities" => r with { Priorities = List(v, static e => Obj(e, new LinuxInterfacePriority(), static (r, key, v) => key switch
            {
                "name" => r with { Name = Str(v)! },
                "priority" => r with { Priority = U32(v) },
                _ => r,
            })) },
            _ => r,
        }) },
        "rdma" => r with { Rdma = Dict(v, static e => Obj(e, new LinuxRdma(), static (r, key, v) => key switch
        {
            "hcahandles" => r with { HcaHandles = Nullable(v, U32) },
            "hcaobjects" => r with { HcaObjects = Nullable(v, U32) },
            _ => r,
        })) },
        "unified" => r with { Unified = Dict(v, Str) },
        _ => r,
    });

    static LinuxThrottleDevice? ThrottleDevice(JsonElement e) => Obj(e, new LinuxThrottleDevice(), static (r, key, v) => key switch
    {
        "major" => r with { Major = I64(v) },
        "minor" => r with { Minor = I64(v) },
        "rate" => r with { Rate = U64(v) },
        _ => r,
    });

    /// <summary>An object's members folded into <paramref name="empty"/>; null stays null (a
    /// non-nullable property turns it into its default itself, as with the serializer).</summary>
    static T? Obj<T>(JsonElement e, T empty, Func<T, string, JsonElement, T> member) where T : class
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.Object) throw new Unexpected();
        var record = empty;
        foreach (var p in e.EnumerateObject()) record = member(record, Key(p.Name), p.Value);
        return record;
    }

    /// <summary>The name to match: the serializer matches names exactly or ignoring case, which for
    /// ASCII is lower case. Whatever else it might match is left to it.</summary>
    static string Key(string name)
    {
        foreach (var c in name)
            if (c > 0x7f) throw new Unexpected();
        return name.ToLowerInvariant();
    }

    // A null item stays null, as the serializer leaves it (the model's lists are not meant to hold
    // any, and the backend checks what it uses).
    static List<T>? List<T>(JsonElement e, Func<JsonElement, T?> item)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.Array) throw new Unexpected();
        var list = new List<T>(e.GetArrayLength());
        foreach (var v in e.EnumerateArray()) list.Add(item(v)!);
        return list;
    }

    static Dictionary<string, T>? Dict<T>(JsonElement e, Func<JsonElement, T?> item)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.Object) throw new Unexpected();
        var map = new Dictionary<string, T>();
        foreach (var p in e.EnumerateObject()) map[p.Name] = item(p.Value)!;
        return map;
    }

    static T? Nullable<T>(JsonElement e, Func<JsonElement, T> value) where T : struct =>
        e.ValueKind == JsonValueKind.Null ? null : value(e);

    static string? Str(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Null => null,
        _ => throw new Unexpected(),
    };

    static bool Bool(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new Unexpected(),
    };

    static uint U32(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetUInt32(out var v) ? v : throw new Unexpected();

    static ushort U16(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetUInt16(out var v) ? v : throw new Unexpected();

    static ulong U64(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var v) ? v : throw new Unexpected();

    static int I32(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw new Unexpected();

    static long I64(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) ? v : throw new Unexpected();
}
