using System.Diagnostics;
using Nas.Sandbox.Abstractions;

namespace ParamCountProxy;

/// <summary>
/// A zero-training estimator: prices a NAS-Bench-201 cell by its parameter count, computed analytically.
/// THIS IS A PROXY, NOT AN ACCURACY: it only orders architectures by size, the oldest baseline of the zero-cost proxy
/// literature (NAS-Bench-201, Dong &amp; Yang 2020, reports that size correlates with final accuracy; Abdelfattah et al.
/// 2021 keep #params as the baseline every proxy must beat). So its figure goes in <see cref="Metrics.Score"/>, never
/// in <see cref="Metrics.ValidationAccuracy"/>; races then rank trials by that score.
/// <para>
/// The host finds every public, non-abstract class implementing <see cref="IEstimator"/> with a parameterless
/// constructor in the pack's dll and resolves it by <see cref="Name"/> (<c>nas race --estimator param-count-proxy</c>);
/// one instance serves a whole race, so keep it thread-safe (this one holds no state). What to edit: <see cref="Name"/>,
/// and <see cref="EvaluateAsync"/> with your own pricing (train briefly, look up a table, score with a proxy, ...).
/// The rules: never throw for an architecture; answer with a <see cref="TrialStatus"/> (here
/// <see cref="TrialStatus.Failed"/> for an operation it cannot price) and report what the evaluation cost in seconds.
/// </para>
/// <para>
/// The count is NAS-Bench-201's own network (C=16 channels, N=5 cells per stage, stages of 16/32/64 channels, 3×32×32
/// input, 10 classes): a fixed skeleton (stem, two reduction blocks, classifier) of 73,306 parameters, plus, in each of
/// the 15 cells, what each edge's operation holds at its stage's width C: 9C²+2C for nor_conv_3x3 (a 3×3 convolution
/// without bias and a BatchNorm's scale and shift), C²+2C for nor_conv_1x1, nothing for none, skip_connect and
/// avg_pool_3x3. That gives NAS-Bench-201's published 1,531,546 for the all-nor_conv_3x3 cell and 73,306 for the
/// all-none one. The score is the count over that maximum, in [0, 1].
/// </para>
/// </summary>
public sealed class ParamCountProxyEstimator : IEstimator
{
    private const long SkeletonParameters = 73_306;
    private const int CellsPerStage = 5;
    private static readonly int[] StageChannels = [16, 32, 64];
    private static readonly long MaxParameters =
        SkeletonParameters + 6 * NetworkParametersPerEdge("nor_conv_3x3")!.Value;

    public string Name => "param-count-proxy";

    public Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    )
    {
        var clock = Stopwatch.StartNew();
        // No training happened: say so (0 epochs) and at which network size the count holds.
        var fidelity = new Fidelity
        {
            Epochs = 0,
            Channels = StageChannels[0],
            CellsPerStage = CellsPerStage,
        };
        long parameters = SkeletonParameters;
        foreach (string operation in architecture.Choices)
        {
            if (NetworkParametersPerEdge(operation) is not { } added)
                return Task.FromResult(
                    new EvaluationResult
                    {
                        Status = TrialStatus.Failed,
                        Metrics = new Metrics(),
                        CostSeconds = clock.Elapsed.TotalSeconds,
                        Fidelity = fidelity,
                        Message =
                            $"{Name} cannot price operation '{operation}' (it knows {string.Join(", ", KnownOperations)}).",
                    }
                );
            parameters += added;
        }
        return Task.FromResult(
            new EvaluationResult
            {
                Status = TrialStatus.Ok,
                Metrics = new Metrics { Score = (double)parameters / MaxParameters, Parameters = parameters },
                CostSeconds = clock.Elapsed.TotalSeconds,
                Fidelity = fidelity,
            }
        );
    }

    private static readonly string[] KnownOperations =
    [
        "none",
        "skip_connect",
        "avg_pool_3x3",
        "nor_conv_1x1",
        "nor_conv_3x3",
    ];

    /// <summary>
    /// Parameters one cell edge holds at width <paramref name="c"/>, or null for an operation it does not know.
    /// Add your operations here (e.g. a depthwise-separable 3×3 convolution: 9C + C² + 2C).
    /// </summary>
    private static long? CellEdgeParameters(string operation, long c) =>
        operation switch
        {
            "nor_conv_3x3" => 9 * c * c + 2 * c,
            "nor_conv_1x1" => c * c + 2 * c,
            "none" or "skip_connect" or "avg_pool_3x3" => 0,
            _ => null,
        };

    /// <summary>What one edge with <paramref name="operation"/> adds over the whole network (the same edge in all 15 cells).</summary>
    private static long? NetworkParametersPerEdge(string operation)
    {
        long total = 0;
        foreach (int c in StageChannels)
        {
            if (CellEdgeParameters(operation, c) is not { } perCell)
                return null;
            total += CellsPerStage * perCell;
        }
        return total;
    }
}
