using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// <c>avg_pool_3x3</c> (NAS-Bench-201's <c>POOLING</c>): a 1×1 ReLU-conv-BN first when channels change, then 3×3
/// average pooling with padding 1 that does not count the padding. The pooling has no batch norm after it (NB201's
/// <c>POOLING</c>; DARTS adds a non-affine one in its supernet, NB201's search cells do not).
/// </summary>
public sealed class AvgPool3x3 : nn.Module<Tensor, Tensor>
{
    private readonly ReluConvBn? preprocess;
    private readonly AvgPool2d pool;

    public AvgPool3x3(long channelsIn, long channelsOut, long stride, BatchNormOptions? batchNorm = null)
        : base(nameof(AvgPool3x3))
    {
        if (channelsIn != channelsOut)
            preprocess = new ReluConvBn(channelsIn, channelsOut, 1, 1, 0, batchNorm: batchNorm);
        pool = nn.AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        if (preprocess is null)
            return pool.call(input);
        var projected = preprocess.call(input);
        return pool.call(projected);
    }
}
