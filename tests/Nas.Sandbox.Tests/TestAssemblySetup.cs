using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Tests;

internal static partial class TestAssemblySetup
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        WaitPassively();
        // Before any test touches libtorch (see TorchRuntime.Configure for why).
        TorchRuntime.Configure();
        IsolateHome();
        NoRaceReports();
    }

    /// <summary>
    /// `nas race` children write no HTML report (NAS_RACE_REPORT=off, inherited), unless a test checks it
    /// (<see cref="NasProcess.WithRaceReport"/>): drawing it took about 0.3 s of CPU in each of the hundreds of other
    /// races a run starts, a third of a small table race's. NAS_RACE_REPORT=on before `dotnet test` keeps them all.
    /// </summary>
    private static void NoRaceReports()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NAS_RACE_REPORT")))
            Environment.SetEnvironmentVariable("NAS_RACE_REPORT", "off");
    }

    /// <summary>
    /// libtorch's OpenMP threads spin while they wait for work (libgomp's default). Tests run three at a time
    /// (<see cref="LongestCollectionsFirst"/>) and `nas` children train next to the test host, so several libtorch pools
    /// share the two cores of a CI machine; their spinning
    /// threads then take the cores from the threads with work to do: a tiny training race took 5× the CPU (and 30×
    /// the time was seen) next to another one. Passive waiting (OMP_WAIT_POLICY=PASSIVE, set natively before libtorch
    /// loads and inherited by every `nas` child) changes how idle threads wait, not what they compute: the same thread
    /// count, the same results.
    /// </summary>
    private static void WaitPassively()
    {
        const string name = "OMP_WAIT_POLICY",
            value = "PASSIVE";
        if (Environment.GetEnvironmentVariable(name) is not null)
            return;
        // libgomp reads getenv() when libtorch loads; Environment.SetEnvironmentVariable does not reach it on Unix.
        if (!OperatingSystem.IsWindows())
            setenv(name, value, 0);
        Environment.SetEnvironmentVariable(name, value); // what child processes inherit
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    /// <summary>
    /// Hosts made in this process (SandboxHost.Create, the league's default path) read an empty home of their own, never
    /// the user's plugins, scripts, packs or league: NAS_HOME names a fresh temporary folder, deleted when the run ends.
    /// `nas` processes get their own through <see cref="NasProcess"/>, but share this home's compiled scripts
    /// (NAS_SCRIPT_CACHE, inherited): a user has one home and compiles the shipped scripts once, where a test's fresh
    /// home would compile them again in every `nas` it starts (about 3 s of CPU each, hundreds of times in a run).
    /// </summary>
    private static void IsolateHome()
    {
        string home = Directory.CreateTempSubdirectory("nas-test-home-").FullName;
        Environment.SetEnvironmentVariable(NasHome.Variable, home);
        // Unless the run names its own (NAS_SCRIPT_CACHE=off measures the suite without the cache).
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ScriptCache.Variable)))
            Environment.SetEnvironmentVariable(ScriptCache.Variable, new NasHome(home).ScriptCache);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a temporary folder; the OS clears it
        };
    }
}
