using System.Text;
using System.Text.Json;
using Hull.Abstractions.Errors;
using Hull.Abstractions.Oci;
using Hull.Plugins.Linux.Interop;

namespace Hull.Plugins.Linux.Process;

/// <summary>
/// The container's init, run by hull-init's Main once bootstrap.c has put it in the container's
/// namespaces. It sets the container up on the main thread, reports ready, waits on the exec fifo
/// for `start`, then becomes the container's process with execve.
/// </summary>
public static class ContainerInit
{
    /// <summary>hull-init's entry. <paramref name="bootFd"/> is the socket to hull, or -1 when run by hand.</summary>
    public static int Run(int bootFd)
    {
        if (bootFd < 0)
        {
            Console.Error.WriteLine($"{InitBinary.FileName}: this is the init of hull's containers and is started by hull only");
            return 1;
        }
        return Run(new SyncChannel(bootFd), ContainerSetups.Default);
    }

    internal static int Run(SyncChannel channel, IContainerSetup setup)
    {
        Spec spec;
        InitOptions options;
        string executable;
        IReadOnlyList<string> env;
        try
        {
            spec = OciJson.ParseConfig(Encoding.UTF8.GetString(channel.Expect(SyncMessage.Spec, "hull")));
            options = JsonSerializer.Deserialize(channel.Expect(SyncMessage.Options, "hull"), InitJson.Default.InitOptions)
                ?? throw new HullException("empty init options");
            var process = spec.Process ?? throw new ConfigException("process is missing", "process");

            setup.MountRootfs(spec, options);
            channel.Send(SyncMessage.HooksRequest);
            channel.Expect(SyncMessage.HooksDone, "hull");
            setup.RunCreateContainerHooks(spec, options);
            setup.EnterRootfs(spec, options);
            setup.ConfigureContainer(spec);
            env = ContainerEnv.Build(process.Env, options.ExtraEnv, process.User.Uid, ReadPasswd());
            setup.BecomeContainerProcess(spec);
            EnterCwd(process.Cwd);
            if (process.Args is not { Count: > 0 })
                throw new ConfigException("process.args must have at least one element", "process.args");
            executable = ExecutableLookup.Real.Find(process.Args[0], env);
            channel.Send(SyncMessage.Ready);
        }
        catch (Exception e)
        {
            // Anything that goes wrong before ready is create's error: hull prints it and cleans up.
            try { channel.Send(SyncMessage.Error, "unable to start container process: " + e.Message); }
            catch (HullException) { Console.Error.WriteLine($"{InitBinary.FileName}: {e.Message}"); }
            return 1;
        }
        finally
        {
            channel.Dispose();
        }

        try
        {
            ExecFifo.WaitForStart(options.ExecFifoFd);
            setup.RunStartContainerHooks(spec, options);
            setup.ApplyRlimits(spec);
            Exec.Replace(executable, spec.Process!.Args!, env, keepFds: 3 + options.PassedFds);
        }
        catch (Exception e)
        {
            // After create returned, the only place to say what failed is the container's stderr.
            Console.Error.WriteLine($"{InitBinary.FileName}: {e.Message}");
            return 1;
        }
        return 1; // Exec.Replace returns only by throwing.
    }

    /// <summary>The container's /etc/passwd (we are in its root now), or null.</summary>
    static string? ReadPasswd()
    {
        try { return File.ReadAllText("/etc/passwd"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>chdir to process.cwd as the container's user, and refuse a cwd that ended up
    /// outside the container's root (a leaked host fd via /proc/self/fd, CVE-2024-21626).</summary>
    static unsafe void EnterCwd(string cwd)
    {
        if (!cwd.StartsWith('/'))
            throw new ConfigException($"cwd \"{cwd}\" is not an absolute path", "process.cwd");
        if (Libc.chdir(cwd) != 0)
            throw new HullException($"chdir to cwd (\"{cwd}\") set in config.json failed: {Libc.Describe(Libc.LastErrno)}");
        // getcwd fails (or says "(unreachable)") when the directory is not under our root.
        var buf = stackalloc byte[4096];
        if (Libc.getcwd(buf, 4096) == null || buf[0] != (byte)'/')
            throw new HullException("current working directory is outside of container mount namespace root -- possible container breakout detected");
    }
}
