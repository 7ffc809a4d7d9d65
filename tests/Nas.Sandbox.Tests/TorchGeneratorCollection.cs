namespace Nas.Sandbox.Tests;

/// <summary>
/// Test classes that run libtorch: they draw from its process-wide random generator, and two libtorch workloads at
/// once (the test host and a child `nas` process) oversubscribe the cores badly (30× slower seen). Run them one after
/// another so that a seeded build in one class is never interleaved with a build in another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGeneratorCollection
{
    public const string Name = "torch generator";
}
