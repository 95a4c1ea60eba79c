namespace Hull.Cli;

// PLACEHOLDER until the CLI work lands.
public static class HullApp
{
    public static int Run(string[] args, IPluginCatalog catalog) => 0;
}
