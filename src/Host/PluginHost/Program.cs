using Hull.Cli;

// PLACEHOLDER until the plugin host work lands.
return HullApp.Run(args, new StaticPluginCatalog([]));
