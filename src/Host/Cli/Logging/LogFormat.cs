namespace Hull.Cli.Logging;

/// <summary>--log-format: text (the default) or json (one object a line, which containerd reads).</summary>
internal enum LogFormat { Text, Json }
