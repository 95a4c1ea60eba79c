namespace Hull.Abstractions.Runtime;

/// <summary>--rootless auto|true|false: it decides only RootlessCgroups (see the rootless rules).</summary>
public enum RootlessMode { Auto, True, False }

/// <summary>The global flags every command shares. Root is null when --root was not given: the
/// backend then applies the platform's default-root rules (/run/hull, or $XDG_RUNTIME_DIR/hull rootless).
/// CriuPath is runc 1.1's global --criu: the criu binary for checkpoint/restore (null: criu on PATH).</summary>
public sealed record RuntimeOptions(
    string? Root,
    RootlessMode Rootless = RootlessMode.Auto,
    bool SystemdCgroup = false,
    bool Debug = false,
    string? CriuPath = null);
