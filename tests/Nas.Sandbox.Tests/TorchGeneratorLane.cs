namespace Nas.Sandbox.Tests;

/// <summary>
/// Test classes that run libtorch in the test host: they draw from its process-wide random generator (seeded builds
/// take <c>TorchGenerator.Lock</c>, but tests also make tensors and networks of their own), so they run one after
/// another, never two at once in this process. The collection as a whole runs in parallel with the other test
/// classes: libtorch's threads wait passively in the test run (<see cref="TestAssemblySetup"/>), so this lane and a
/// `nas` child that trains at the same time share the cores instead of spinning against each other. Tests whose
/// libtorch work runs only in child `nas` processes do not belong here.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TorchGeneratorLane
{
    public const string Name = "torch generator";
}
