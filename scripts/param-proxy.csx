// param-proxy.csx — a zero-training estimator: price an architecture by its parameter count.
//
// The idea: before spending minutes of training on an architecture, guess its quality from something free. The oldest
// such baseline is size: NAS-Bench-201 (Dong & Yang, ICLR 2020) reports that the number of parameters correlates with
// final accuracy across its 15,625 cells, and the zero-cost proxy literature (Abdelfattah et al., "Zero-Cost Proxies
// for Lightweight NAS", ICLR 2021; White et al., "A Deeper Look at Zero-Cost Proxies", 2023) keeps #params as the
// baseline every proxy must beat. THIS IS A PROXY, NOT AN ACCURACY: the score only orders architectures by size.
//
// The count is analytic, for NAS-Bench-201's own network (C=16, N=5 cells per stage, stages at 16/32/64 channels,
// 3×32×32 input, 10 classes): the skeleton (stem, two reduction blocks, classifier) has 73,306 parameters, and each
// edge adds, in each of the 15 cells, what its operation has at that stage's width C:
//     nor_conv_3x3, nor_dil_conv_3x3: 9C² + 2C   (3×3 conv without bias, BatchNorm scale and shift)
//     nor_conv_1x1:                C² + 2C
//     sep_conv_kxk (k = 3, 5):     2k²C + 2C² + 4C   (DARTS: two depthwise-separable convs, two BatchNorms)
//     dil_conv_kxk (k = 3, 5):     k²C + C² + 2C
//     se_block:                    C²/2 + C/4 + C   (squeeze-and-excitation, hidden C/4, biases)
//     mbconv_kK_eE (K = 3, 5, 7; E = 3, 6): 2E·C² + (K² + 4)·E·C + 2C   (MobileNetV2's inverted residual, three BatchNorms)
//     none, skip_connect, avg_pool_3x3: 0
// i.e. 243,040 per 3×3 edge and 28,000 per 1×1 edge, giving NB201's published 1,531,546 for the all-nor_conv_3x3 cell
// and 73,306 for the all-none cell. The score is parameters / 1,531,546 (the largest network of the space), in [0, 1],
// reported as the validation accuracy so every strategy can use it unchanged; Metrics.Parameters holds the count.
//
// How to read it as a how-to: an estimator is an IEstimator with a Name; it never throws for a bad architecture but
// answers with a status (here Failed for an operation it cannot price) and reports its cost in seconds.
using System.Diagnostics;

public sealed class ParameterCountProxy : IEstimator
{
    private const long SkeletonParameters = 73_306;
    private static readonly int[] StageChannels = [16, 32, 64];
    private const int CellsPerStage = 5;
    private static readonly long MaxParameters = SkeletonParameters + 6 * PerEdge("nor_conv_3x3")!.Value;

    public string Name => "param-proxy";

    public Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    )
    {
        var clock = Stopwatch.StartNew();
        var fidelity = new Fidelity
        {
            Epochs = 0,
            Channels = StageChannels[0],
            CellsPerStage = CellsPerStage,
        };
        long parameters = SkeletonParameters;
        foreach (string op in architecture.Choices)
        {
            if (PerEdge(op) is not { } added)
                return Task.FromResult(
                    new EvaluationResult
                    {
                        Status = TrialStatus.Failed,
                        Metrics = new Metrics(),
                        CostSeconds = clock.Elapsed.TotalSeconds,
                        Fidelity = fidelity,
                        Message =
                            $"param-proxy cannot price operation '{op}' (it knows NB201's five, DARTS' sep_conv and dil_conv 3x3 and 5x5, se_block, mbconv_kK_eE and nor_dil_conv_3x3).",
                    }
                );
            parameters += added;
        }
        return Task.FromResult(
            new EvaluationResult
            {
                Status = TrialStatus.Ok,
                Metrics = new Metrics
                {
                    ValidationAccuracy = (double)parameters / MaxParameters,
                    Parameters = parameters,
                },
                CostSeconds = clock.Elapsed.TotalSeconds,
                Fidelity = fidelity,
            }
        );
    }

    /// <summary>An inverted residual C→C with kernel k and expansion e: expand, depthwise, project, a BatchNorm after each.</summary>
    private static long InvertedResidual(long k, long e, long c) => 2 * e * c * c + (k * k + 4) * e * c + 2 * c;

    /// <summary>Parameters one edge with <paramref name="op"/> adds over the whole network (5 cells in each of 3 stages), or null if unknown.</summary>
    private static long? PerEdge(string op)
    {
        long? perCell(long c) =>
            op switch
            {
                "nor_conv_3x3" or "nor_dil_conv_3x3" => 9 * c * c + 2 * c,
                "nor_conv_1x1" => c * c + 2 * c,
                "sep_conv_3x3" => 2 * 9 * c + 2 * c * c + 4 * c,
                "sep_conv_5x5" => 2 * 25 * c + 2 * c * c + 4 * c,
                "dil_conv_3x3" => 9 * c + c * c + 2 * c,
                "dil_conv_5x5" => 25 * c + c * c + 2 * c,
                "se_block" => 2 * c * (c / 4) + c / 4 + c,
                "mbconv_k3_e3"
                or "mbconv_k3_e6"
                or "mbconv_k5_e3"
                or "mbconv_k5_e6"
                or "mbconv_k7_e3"
                or "mbconv_k7_e6" => InvertedResidual(op[8] - '0', op[11] - '0', c),
                "none" or "skip_connect" or "avg_pool_3x3" => 0,
                _ => null,
            };
        long total = 0;
        foreach (int c in StageChannels)
        {
            if (perCell(c) is not { } n)
                return null;
            total += CellsPerStage * n;
        }
        return total;
    }
}
