using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>ReLU → Conv2d (no bias) → BatchNorm2d, NAS-Bench-201's <c>ReLUConvBN</c> (its batch norm as <paramref name="batchNorm"/> asks, <see cref="BatchNormOptions.Standard"/> by default).</summary>
public sealed class ReluConvBn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm bn;

    public ReluConvBn(
        long channelsIn,
        long channelsOut,
        long kernel,
        long stride,
        long padding,
        long dilation = 1,
        BatchNormOptions? batchNorm = null
    )
        : base(nameof(ReluConvBn))
    {
        conv = nn.Conv2d(
            channelsIn,
            channelsOut,
            kernel,
            stride: stride,
            padding: padding,
            dilation: dilation,
            bias: false
        );
        bn = (batchNorm ?? BatchNormOptions.Standard).Build(channelsOut);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var activated = input.relu();
        var convolved = conv.call(activated);
        return bn.call(convolved);
    }
}
