namespace Hull.Abstractions.Runtime;

/// <summary>The host's log (stderr and --log file, text or json), handed to plugins.</summary>
public interface IHullLog
{
    bool IsDebugEnabled { get; }
    void Debug(string message);
    void Info(string message);
    void Warn(string message);
    void Error(string message);
}
