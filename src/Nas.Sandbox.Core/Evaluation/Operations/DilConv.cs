using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// DARTS' <c>DilConv</c> (Liu et al., "DARTS: Differentiable Architecture Search", ICLR 2019, <c>operations.py</c>),
/// behind <c>dil_conv_3x3</c> and <c>dil_conv_5x5</c>: ReLU → depthwise k×k convolution with dilation 2 (one filter per
/// input channel, padding k − 1 so H×W is kept at stride 1) → pointwise 1×1 convolution Cin→Cout → batch norm. A 3×3
/// kernel dilated by 2 sees a 5×5 window, a 5×5 one a 9×9 window.
/// <para>Parameters: k²·Cin + Cin·Cout, plus 2·Cout for an affine batch norm. The modules sit in one sequence
/// <c>op</c> as in DARTS (<c>op.1</c> depthwise, <c>op.2</c> pointwise, <c>op.3</c> batch norm), so the state-dict keys
/// are DARTS' own.</para>
/// </summary>
public sealed class DilConv : nn.Module<Tensor, Tensor>
{
    private readonly Sequential op;

    public DilConv(
        long channelsIn,
        long channelsOut,
        long kernel,
        long stride,
        long dilation = 2,
        BatchNormOptions? batchNorm = null
    )
        : base(nameof(DilConv))
    {
        op = nn.Sequential(
            nn.ReLU(),
            DepthwiseSeparable.Depthwise(channelsIn, kernel, stride, dilation),
            nn.Conv2d(channelsIn, channelsOut, 1, bias: false),
            (batchNorm ?? BatchNormOptions.Standard).Build(channelsOut)
        );
        RegisterComponents();
    }

    // Sequential calls each module with .call, so hooks (the FLOPs counter, NASWOT's ReLU patterns) see them.
    public override Tensor forward(Tensor input) => op.call(input);
}
