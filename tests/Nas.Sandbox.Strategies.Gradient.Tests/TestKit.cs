using System.Runtime.CompilerServices;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Racing.Training;

// The tests share libtorch's process-wide generator and two cores: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Nas.Sandbox.Strategies.Gradient.Tests;

internal static class TestKit
{
    // Before any test touches libtorch (see TorchRuntime.Configure for why).
    [ModuleInitializer]
    internal static void Initialize() => TorchRuntime.Configure();

    private static readonly Lazy<DatasetBundle> Subset = new(() =>
        FashionMnist.Load(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset"))
    );

    /// <summary>The committed Fashion-MNIST subset at a tiny fidelity: C=8, one cell per stage.</summary>
    public static RaceTrainingData Data(int trainingImages = 128, int validationImages = 64, int batch = 32) =>
        new(
            () => Subset.Value,
            OperationRegistry.CreateDefault(),
            new TrainingSettings
            {
                TrainingImages = trainingImages,
                ValidationImages = validationImages,
                Channels = 8,
                CellsPerStage = 1,
                BatchSize = batch,
            }
        );

    public static ITrainingKit Kit(RaceTrainingData data) => data.KitFor(dataSeed: 1, new Fidelity(), seed: 3);

    public static KnobValues Knobs(IStrategyFactory factory, params (string Name, string Value)[] knobs) =>
        KnobValues.Create(factory.Name, factory.Knobs, knobs.ToDictionary(k => k.Name, k => k.Value));

    public static SearchContext Context(ISearchSpace space, ITrainingKit? kit, int index = 0) =>
        new()
        {
            Space = space,
            Random = new Random(index),
            AskIndex = index,
            TrainingSetup = kit,
        };
}
