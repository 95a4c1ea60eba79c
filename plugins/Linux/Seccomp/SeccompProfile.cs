using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Abstractions.Runtime;

namespace Hull.Plugins.Linux.Seccomp;

/// <summary>An argument comparison as libseccomp takes it (for MASKED_EQ: A is the mask, B the value).</summary>
internal readonly record struct SeccompCondition(uint Index, int Op, ulong DatumA, ulong DatumB);

/// <summary>An architecture of linux.seccomp.architectures and libseccomp's name for it.</summary>
internal readonly record struct SeccompArchitecture(string Name, string LibseccompName);

/// <summary>One syscall name with its action (SECCOMP_RET_* incl. data) and conditions.</summary>
internal sealed record SeccompRule(string Name, uint Action, IReadOnlyList<SeccompCondition> Conditions);

/// <summary>
/// linux.seccomp checked and resolved to numbers: every error a config can have is found here,
/// before anything is built, and named by its JSON path.
/// </summary>
internal sealed record SeccompProfile(uint DefaultAction, IReadOnlyList<SeccompArchitecture> Architectures, uint Flags, IReadOnlyList<SeccompRule> Rules)
{
    private const string Path = "linux.seccomp";
    private const uint Eperm = 1;
    /// <summary>Syscalls take at most six arguments.</summary>
    private const uint MaxArguments = 6;

    internal bool HasListener => (Flags & SeccompNames.FilterFlag.NewListener) != 0;

    /// <summary>runc's rule: a config with neither a default action nor rules means no seccomp.</summary>
    internal static bool IsDisabled(LinuxSeccomp config) => config.DefaultAction.Length == 0 && (config.Syscalls?.Count ?? 0) == 0;

    internal static SeccompProfile Parse(LinuxSeccomp config, ISeccompKernel kernel, IHullLog log)
    {
        var defaultAction = Action(config.DefaultAction, config.DefaultErrnoRet, $"{Path}.defaultAction", $"{Path}.defaultErrnoRet");
        if ((defaultAction & SeccompNames.Ret.ActionMask) == SeccompNames.Ret.Notify)
            throw new ConfigException(
                "SCMP_ACT_NOTIFY cannot be the default action: the runtime's own last syscalls (handing the listener over) would wait on the listener; name the syscalls to notify in syscalls[] instead",
                $"{Path}.defaultAction");

        var listenerPath = config.ListenerPath ?? "";
        if (!string.IsNullOrEmpty(config.ListenerMetadata) && listenerPath.Length == 0)
            throw new ConfigException("listenerMetadata is set but listenerPath is not: the metadata is only ever sent to the listener", $"{Path}.listenerMetadata");

        var architectures = new List<SeccompArchitecture>();
        for (var i = 0; i < (config.Architectures?.Count ?? 0); i++)
        {
            var name = config.Architectures![i];
            if (!SeccompNames.Architectures.TryGetValue(name, out var libName))
                throw new ConfigException($"unknown seccomp architecture \"{name}\": use one of {SeccompNames.Known(SeccompNames.Architectures.Keys)}", $"{Path}.architectures[{i}]");
            architectures.Add(new SeccompArchitecture(name, libName));
        }

        var rules = new List<SeccompRule>();
        var notify = false;
        for (var i = 0; i < (config.Syscalls?.Count ?? 0); i++)
        {
            var call = config.Syscalls![i];
            var at = $"{Path}.syscalls[{i}]";
            if (call.Names.Count == 0)
                throw new ConfigException("names must list at least one syscall", $"{at}.names");
            var action = Action(call.Action, call.ErrnoRet, $"{at}.action", $"{at}.errnoRet");
            var conditions = Conditions(call.Args, at);
            for (var n = 0; n < call.Names.Count; n++)
            {
                var name = call.Names[n];
                if (string.IsNullOrWhiteSpace(name))
                    throw new ConfigException("a syscall name is empty", $"{at}.names[{n}]");
                if (action == SeccompNames.Ret.Notify)
                {
                    // The init hands the listener fd to hull with write(2) after the filter is in,
                    // so a notified write would wait for a listener that never gets the fd (runc's rule too).
                    if (name == "write")
                        throw new ConfigException("SCMP_ACT_NOTIFY cannot be used for the write syscall: the runtime needs write to hand the listener over", $"{at}.names[{n}]");
                    notify = true;
                }
                rules.Add(new SeccompRule(name, action, conditions));
            }
        }
        if (notify && listenerPath.Length == 0)
            throw new ConfigException("listenerPath is required when a rule uses SCMP_ACT_NOTIFY: it is the unix socket the notify fd is sent to", $"{Path}.listenerPath");

        return new SeccompProfile(defaultAction, architectures, FilterFlags(config.Flags, notify, kernel, log), rules);
    }

    /// <summary>The SECCOMP_RET_* value; errnoRet goes with ERRNO and TRACE only (the spec says to fail
    /// otherwise; runc silently ignores it) and defaults to EPERM.</summary>
    private static uint Action(string name, uint? errnoRet, string path, string errnoPath)
    {
        if (!SeccompNames.Actions.TryGetValue(name, out var action))
            throw new ConfigException($"unknown seccomp action \"{name}\": use one of {SeccompNames.Known(SeccompNames.Actions.Keys)}", path);
        var takesErrno = action is SeccompNames.Ret.Errno or SeccompNames.Ret.Trace;
        if (errnoRet is { } ret)
        {
            if (!takesErrno)
                throw new ConfigException($"an errno return is only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not {name}", errnoPath);
            if (ret > SeccompNames.Ret.DataMask)
                throw new ConfigException($"{ret} does not fit the 16 bits seccomp returns", errnoPath);
        }
        return takesErrno ? action | (errnoRet ?? Eperm) : action;
    }

    private static IReadOnlyList<SeccompCondition> Conditions(IReadOnlyList<LinuxSeccompArg>? args, string at)
    {
        var conditions = new List<SeccompCondition>();
        for (var a = 0; a < (args?.Count ?? 0); a++)
        {
            var arg = args![a];
            if (arg.Index >= MaxArguments)
                throw new ConfigException($"argument index {arg.Index} is out of range: syscalls have arguments 0 to {MaxArguments - 1}", $"{at}.args[{a}].index");
            if (!SeccompNames.Operators.TryGetValue(arg.Op, out var op))
                throw new ConfigException($"unknown seccomp operator \"{arg.Op}\": use one of {SeccompNames.Known(SeccompNames.Operators.Keys)}", $"{at}.args[{a}].op");
            conditions.Add(new SeccompCondition(arg.Index, op, arg.Value, arg.ValueTwo));
        }
        return conditions;
    }

    /// <summary>
    /// seccomp(2) flags. Absent flags mean SPEC_ALLOW when the kernel has it (runc 1.2's default:
    /// seccomp alone should not force the speculative-store-bypass mitigation on the container);
    /// an explicit list, even empty, is taken as it is.
    /// </summary>
    private static uint FilterFlags(IReadOnlyList<string>? names, bool notify, ISeccompKernel kernel, IHullLog log)
    {
        var listener = notify ? SeccompNames.FilterFlag.NewListener : 0;
        if (names is null)
            return listener | (kernel.FilterFlagsSupported(SeccompNames.FilterFlag.SpecAllow) ? SeccompNames.FilterFlag.SpecAllow : 0);

        var flags = listener;
        for (var i = 0; i < names.Count; i++)
        {
            if (!SeccompNames.Flags.TryGetValue(names[i], out var bit))
                throw new ConfigException($"unknown seccomp flag \"{names[i]}\": use one of {SeccompNames.Known(SeccompNames.Flags.Keys)}", $"{Path}.flags[{i}]");
            if (bit == SeccompNames.FilterFlag.WaitKillableRecv && !notify)
            {
                // It only changes how a notified syscall waits; the kernel refuses it without a listener.
                log.Debug($"seccomp: {names[i]} ignored: no rule uses SCMP_ACT_NOTIFY");
                continue;
            }
            // WAIT_KILLABLE_RECV is only accepted together with NEW_LISTENER.
            if (bit != 0 && !kernel.FilterFlagsSupported(bit | (bit == SeccompNames.FilterFlag.WaitKillableRecv ? listener : 0)))
                throw new ConfigException($"seccomp flag {names[i]} is not supported by this kernel: remove it from config.json", $"{Path}.flags[{i}]");
            flags |= bit;
        }
        return flags;
    }
}
