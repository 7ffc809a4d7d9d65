namespace Nas.Sandbox.Abstractions;

/// <summary>
/// The torch-free part of the race's training kit: what a strategy may know about the race's training without
/// TorchSharp (the data's classes, the fidelity, the weight seed). Handed out in <see cref="SearchContext.TrainingSetup"/>;
/// the host's object is always the whole kit, <c>ITrainingKit</c> of Nas.Sandbox.Abstractions.Torch (tensors and
/// modules), which strategies that train weights read as <c>context.Training</c>. (API 2.0: these members moved here
/// from <c>ITrainingKit</c>, which extends this interface.)
/// <para>Charging: touching any member charges the call's wall time to the contestant's seconds, as for the kit.</para>
/// </summary>
public interface ITrainingSetup
{
    /// <summary>Number of classes of the labels.</summary>
    int Classes { get; }

    /// <summary>The race's fidelity: channels C of the first stage.</summary>
    int Channels { get; }

    /// <summary>The race's fidelity: cells per stage N.</summary>
    int CellsPerStage { get; }

    /// <summary>The race's fidelity: training batch size.</summary>
    int BatchSize { get; }

    /// <summary>
    /// Seed for this contestant's weight training, the same at every call of the heat (derived from the heat's seed and
    /// the contestant), so that an instance rebuilt by replay can retrain identically.
    /// </summary>
    long Seed { get; }
}
