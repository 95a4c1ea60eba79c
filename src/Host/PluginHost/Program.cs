using Hull.Cli;
using Hull.PluginHost;

// The plugin host: the same CLI as the native hull, with plugins discovered at run time.
var catalog = DirectoryPluginCatalog.Discover(AppContext.BaseDirectory,
    Environment.GetEnvironmentVariable(DirectoryPluginCatalog.PluginPathVariable));
return HullApp.Run(args, catalog);
