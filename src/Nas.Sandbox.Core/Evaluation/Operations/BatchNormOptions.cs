using Nas.Sandbox.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// How an operation builds its batch norms: NAS-Bench-201's <c>affine</c> and <c>track_running_stats</c>, which its
/// <c>OPS</c> table passes to every operation. Stand-alone networks (the training estimator, NB201's own training) use
/// <see cref="Standard"/>. A supernet's cell operations use <c>(false, false)</c>: DARTS builds them non-affine, and
/// NAS-Bench-201's search code (DARTS-V1, GDAS with <c>--track_running_stats 0</c>) also without running statistics.
/// </summary>
public readonly record struct BatchNormOptions(bool Affine, bool TrackRunningStats)
{
    /// <summary>Learned scale and shift, running statistics for evaluation: PyTorch's defaults.</summary>
    public static BatchNormOptions Standard => new(true, true);

    /// <summary>
    /// A 2-d batch norm as asked, whose forward holds its Scalars (<see cref="SafeTorch.BatchNorm2d"/>); its state-dict names
    /// are <c>nn.BatchNorm2d</c>'s.
    /// </summary>
    public BatchNorm Build(long features) =>
        SafeTorch.BatchNorm2d(features, affine: Affine, trackRunningStats: TrackRunningStats);
}
