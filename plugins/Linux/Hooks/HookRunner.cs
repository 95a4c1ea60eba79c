using System.Collections;
using System.Globalization;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;

namespace Hull.Plugins.Linux.Hooks;

/// <summary>The six hook points of the runtime-spec, in lifecycle order.</summary>
internal enum HookPhase { Prestart, CreateRuntime, CreateContainer, StartContainer, Poststart, Poststop }

/// <summary>A hook failed (or ran past its timeout): which one, and what it said.</summary>
internal sealed class HookFailedException(HookPhase phase, int index, string path, string message)
    : HullException(message)
{
    public HookPhase Phase { get; } = phase;
    public int Index { get; } = index;
    public string Path { get; } = path;
}

/// <summary>
/// Runs a phase's hooks in the config's order, each with the container's state JSON on stdin,
/// exactly its env (or hull's own when the config gives none, as runc's Go exec does), its args
/// (argv[0] included) and its timeout. Where each phase runs is the caller's part:
/// prestart/createRuntime/poststart/poststop in the runtime's namespaces, createContainer in the
/// init before pivot_root, startContainer in the init after start and before execve.
/// </summary>
internal static class HookRunner
{
    internal static string Name(HookPhase phase) => OciNames.Hooks[(int)phase];

    internal static IReadOnlyList<Hook> Of(Spec spec, HookPhase phase) => (phase switch
    {
        HookPhase.Prestart => spec.Hooks?.Prestart,
        HookPhase.CreateRuntime => spec.Hooks?.CreateRuntime,
        HookPhase.CreateContainer => spec.Hooks?.CreateContainer,
        HookPhase.StartContainer => spec.Hooks?.StartContainer,
        HookPhase.Poststart => spec.Hooks?.Poststart,
        _ => spec.Hooks?.Poststop,
    }) ?? [];

    /// <summary>Refuses hooks that cannot run as the spec says (create calls it before starting anything).</summary>
    internal static void Validate(Spec spec)
    {
        // Not Enum.GetValues: NativeAOT answers it by reflection, a measurable part of create.
        for (var phase = HookPhase.Prestart; phase <= HookPhase.Poststop; phase++)
        {
            var hooks = Of(spec, phase);
            for (var i = 0; i < hooks.Count; i++)
            {
                var where = $"hooks.{Name(phase)}[{i}]";
                if (!hooks[i].Path.StartsWith('/'))
                    throw new ConfigException($"hook path \"{hooks[i].Path}\" is not absolute", where + ".path");
                if (hooks[i].Timeout is <= 0)
                    throw new ConfigException($"hook timeout must be greater than zero, not {hooks[i].Timeout}", where + ".timeout");
            }
        }
    }

    /// <summary>
    /// Runs every hook of <paramref name="phase"/>; the first failure stops the rest and is thrown
    /// (the caller then stops creating or starting and cleans up, as the runtime-spec says).
    /// </summary>
    internal static void Run(Spec spec, HookPhase phase, ContainerState state, string? workingDirectory = null)
    {
        var hooks = Of(spec, phase);
        if (hooks.Count == 0) return;
        var stdin = OciJson.SerializeRuntimeState(RuntimeState.From(state));
        for (var i = 0; i < hooks.Count; i++)
            RunOne(phase, i, hooks[i], stdin, workingDirectory);
    }

    /// <summary>poststop: every hook runs; a failure is only a warning.</summary>
    internal static void RunWarning(Spec spec, HookPhase phase, ContainerState state, Action<string> warn, string? workingDirectory = null)
    {
        var hooks = Of(spec, phase);
        if (hooks.Count == 0) return;
        var stdin = OciJson.SerializeRuntimeState(RuntimeState.From(state));
        for (var i = 0; i < hooks.Count; i++)
        {
            try
            {
                RunOne(phase, i, hooks[i], stdin, workingDirectory);
            }
            catch (HullException e)
            {
                warn(e.Message);
            }
        }
    }

    static void RunOne(HookPhase phase, int index, Hook hook, byte[] stdin, string? workingDirectory)
    {
        var what = $"error running {Name(phase)} hook #{index} ({hook.Path})";
        var timeout = hook.Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        HookOutcome outcome;
        try
        {
            outcome = HookProcess.Run(hook.Path, hook.Args ?? [], hook.Env ?? CurrentEnvironment(), stdin, timeout, workingDirectory);
        }
        catch (HullException e)
        {
            throw new HookFailedException(phase, index, hook.Path, $"{what}: {e.Message}");
        }
        if (outcome.Succeeded) return;
        var reason = outcome switch
        {
            { TimedOut: true } => string.Create(CultureInfo.InvariantCulture, $"hook ran past specified timeout of {timeout!.Value.TotalSeconds:0.0}s and was killed"),
            { Signal: { } sig } => $"signal: {SignalName(sig)}",
            _ => $"exit status {outcome.ExitCode}",
        };
        var output = (outcome.Stdout.Length > 0 ? $", stdout: {outcome.Stdout.TrimEnd()}" : "")
            + (outcome.Stderr.Length > 0 ? $", stderr: {outcome.Stderr.TrimEnd()}" : "");
        throw new HookFailedException(phase, index, hook.Path, $"{what}: {reason}{output}");
    }

    static string[] CurrentEnvironment()
    {
        var list = new List<string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) list.Add($"{e.Key}={e.Value}");
        return [.. list];
    }

    static string SignalName(int signal) => signal switch
    {
        9 => "killed",
        15 => "terminated",
        6 => "aborted",
        11 => "segmentation fault",
        2 => "interrupt",
        _ => "signal " + signal.ToString(CultureInfo.InvariantCulture),
    };
}
