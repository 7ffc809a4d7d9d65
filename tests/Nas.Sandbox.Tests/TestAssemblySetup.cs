using System.Runtime.CompilerServices;
using Nas.Sandbox.Core.Evaluation;

namespace Nas.Sandbox.Tests;

internal static class TestAssemblySetup
{
    // Before any test touches libtorch (see TorchRuntime.Configure for why).
    [ModuleInitializer]
    internal static void Initialize() => TorchRuntime.Configure();
}
