using System.Runtime.CompilerServices;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Tests;

internal static class TestAssemblySetup
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        // Before any test touches libtorch (see TorchRuntime.Configure for why).
        TorchRuntime.Configure();
        IsolateHome();
    }

    /// <summary>
    /// Hosts made in this process (SandboxHost.Create, the league's default path) read an empty home of their own, never
    /// the user's plugins, scripts, packs or league: NAS_HOME names a fresh temporary folder, deleted when the run ends.
    /// `nas` processes get their own through <see cref="NasProcess"/>.
    /// </summary>
    private static void IsolateHome()
    {
        string home = Directory.CreateTempSubdirectory("nas-test-home-").FullName;
        Environment.SetEnvironmentVariable(NasHome.Variable, home);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(home, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a temporary folder; the OS clears it
        };
    }
}
