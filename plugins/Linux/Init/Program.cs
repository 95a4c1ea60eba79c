using System.Runtime.InteropServices;
using Hull.Plugins.Linux.Process;

// The container's init. By the time Main runs, bootstrap.c has put this process into the
// container's namespaces (as PID 1 of a new PID namespace when asked); the rest is C#.
return ContainerInit.Run(NativeBootstrap.hull_boot_fd());

static partial class NativeBootstrap
{
    /// <summary>The socket to hull, or -1 when this program was not started by hull.</summary>
    [LibraryImport("hullboot")]
    internal static partial int hull_boot_fd();
}
