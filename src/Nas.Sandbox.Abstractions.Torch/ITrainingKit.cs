using static TorchSharp.torch;

namespace Nas.Sandbox.Abstractions;

/// <summary>
/// The race's training data and building blocks, for strategies that train weights themselves (gradient-based NAS such
/// as DARTS or GDAS train a supernet between asks). Read as <c>context.Training</c> (<see cref="SearchContextTraining"/>),
/// the same object as <see cref="SearchContext.TrainingSetup"/>; null when the race has no data. It extends
/// <see cref="ITrainingSetup"/>, the torch-free members (classes, fidelity, seed) that a strategy without TorchSharp may
/// read. (API 2.0: it moved to this assembly, Nas.Sandbox.Abstractions.Torch, from Nas.Sandbox.Abstractions.)
/// <para>Charging: the referee charges the measured wall time of every Ask or Tell during which the strategy touched
/// the kit (any member) to the contestant's seconds, so weight training is paid from the same budget as evaluations.
/// Loading the data is the host's business and is not charged.</para>
/// <para>The tensors belong to the host: read them, never dispose or modify them. They are the same search-train and
/// search-validation images the training estimator uses in this heat (same data seed, same sizes).</para>
/// </summary>
public interface ITrainingKit : ITrainingSetup
{
    /// <summary>Where the race trains (the tensors below live there; move modules there before training).</summary>
    Device Device { get; }

    /// <summary>Search-train images [N, C, H, W], float, normalised as the training estimator does. May throw when the data cannot be loaded.</summary>
    Tensor TrainingImages { get; }

    /// <summary>Search-train labels [N], int64.</summary>
    Tensor TrainingLabels { get; }

    /// <summary>Search-validation images [M, C, H, W] (never the held-out test set).</summary>
    Tensor ValidationImages { get; }

    /// <summary>Search-validation labels [M], int64.</summary>
    Tensor ValidationLabels { get; }

    /// <summary>An operation of the host's registry (built-in, plugin or script) as a module, as a stand-alone network has it.</summary>
    nn.Module<Tensor, Tensor> BuildOperation(string name, int channelsIn, int channelsOut, int stride);

    /// <summary>
    /// The same, with its batch norms built as asked: NAS-Bench-201's <c>affine</c> and <c>track_running_stats</c>. A
    /// supernet's mixed edge asks for <c>false, false</c>, as DARTS and NAS-Bench-201's search code build theirs. The
    /// built-in operations honour it; a plugin or script operation (<see cref="IOperation.Build"/> takes no such options)
    /// is built as it is, and the race says so once. (API 1.2.)
    /// </summary>
    nn.Module<Tensor, Tensor> BuildOperation(
        string name,
        int channelsIn,
        int channelsOut,
        int stride,
        bool affine,
        bool trackRunningStats
    );

    /// <summary>
    /// NAS-Bench-201's macro skeleton (stem, three stages of <see cref="ITrainingSetup.CellsPerStage"/> cells at C, 2C,
    /// 4C channels with residual reductions, pooling, classifier) with cells from <paramref name="cell"/> (given the
    /// cell's channels), weights initialised from <see cref="ITrainingSetup.Seed"/>, on <see cref="Device"/>. The caller
    /// owns and disposes it.
    /// </summary>
    nn.Module<Tensor, Tensor> BuildNetwork(Func<int, nn.Module<Tensor, Tensor>> cell);
}
