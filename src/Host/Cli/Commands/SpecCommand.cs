using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Cli.CommandLine;

namespace Hull.Cli.Commands;

/// <summary>`spec`: writes runc's starter config.json. It needs no backend, so it works on every platform.</summary>
internal static class SpecCommand
{
    public const string ConfigFile = "config.json";

    public static HullCommand Build(CliSession session) => new("spec", "create a new specification file")
    {
        LongDescription = """
            The spec command creates a starter specification file named "config.json" in the
            bundle (the current directory, or --bundle). Edit it to fit the container: its
            process args run "sh", which a busybox or distribution rootfs has and many others
            do not. For example, for a rootfs whose program is /hello:

                mkdir hello && cd hello
                mkdir rootfs && tar -C rootfs -xf hello-world.tar
                hull spec
                sed -i 's;"sh";"/hello";' config.json
                hull run container1

            With --rootless the spec maps the container's root to your user and drops what an
            unprivileged user cannot set up, for running hull without root. It is not needed
            when hull runs as root inside a user namespace.
            """,
        Define = command =>
        {
            var bundle = Flags.Text("--bundle", "path to the root of the bundle directory", "-b");
            var rootless = Flags.Bool("--rootless", "generate a configuration for a rootless container");
            command.Options.Add(bundle);
            command.Options.Add(rootless);
            command.SetAction(result =>
            {
                var directory = session.Bundle(result.GetValue(bundle));
                if (!Directory.Exists(directory))
                    throw new HullException($"bundle directory {directory} does not exist: create it first, or give another with --bundle");
                var path = Path.Combine(directory, ConfigFile);
                var json = OciJson.SerializeSpec(SpecDefaults.Create(result.GetValue(rootless)));
                try
                {
                    // CreateNew: an existing config.json is refused atomically, never overwritten.
                    using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                    file.Write(System.Text.Encoding.UTF8.GetBytes(json));
                }
                catch (IOException) when (File.Exists(path))
                {
                    throw new HullException($"File {ConfigFile} exists. Remove it first");
                }
                return 0;
            });
        },
    };
}
