using Hull.Abstractions.Plugins;
using Hull.Cli;

// The first-party plugins, registered statically: constructing them is free, and the host picks
// the backend for this platform the same way the plugin host does.
IHullPlugin[] plugins =
[
    new Hull.Plugins.Linux.LinuxPlugin(),
    new Hull.Plugins.Unsupported.UnsupportedPlugin(),
    new Hull.Plugins.Criu.CriuPlugin(),
];
return HullApp.Run(args, new StaticPluginCatalog(plugins));
