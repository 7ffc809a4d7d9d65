using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// DARTS' <c>SepConv</c> (Liu et al., ICLR 2019, <c>operations.py</c>), behind <c>sep_conv_3x3</c> and
/// <c>sep_conv_5x5</c>: a depthwise-separable convolution applied twice, [ReLU → depthwise k×k (stride, padding k/2)
/// → pointwise 1×1 Cin→Cin → batch norm] then [ReLU → depthwise k×k (stride 1) → pointwise 1×1 Cin→Cout → batch norm].
/// Two stacked k×k views give it a (2k − 1)² receptive field.
/// <para>Parameters: 2·k²·Cin + Cin² + Cin·Cout, plus 2·(Cin + Cout) for affine batch norms. The modules sit in one
/// sequence <c>op</c> as in DARTS (<c>op.1</c>, <c>op.2</c>, <c>op.3</c> the first half's depthwise, pointwise and batch
/// norm; <c>op.5</c>, <c>op.6</c>, <c>op.7</c> the second's), so the state-dict keys are DARTS' own.</para>
/// </summary>
public sealed class SepConv : nn.Module<Tensor, Tensor>
{
    private readonly Sequential op;

    public SepConv(long channelsIn, long channelsOut, long kernel, long stride, BatchNormOptions? batchNorm = null)
        : base(nameof(SepConv))
    {
        var bn = batchNorm ?? BatchNormOptions.Standard;
        op = nn.Sequential(
            nn.ReLU(),
            DepthwiseSeparable.Depthwise(channelsIn, kernel, stride, dilation: 1),
            nn.Conv2d(channelsIn, channelsIn, 1, bias: false),
            bn.Build(channelsIn),
            nn.ReLU(),
            DepthwiseSeparable.Depthwise(channelsIn, kernel, stride: 1, dilation: 1),
            nn.Conv2d(channelsIn, channelsOut, 1, bias: false),
            bn.Build(channelsOut)
        );
        RegisterComponents();
    }

    // Sequential calls each module with .call, so hooks (the FLOPs counter, NASWOT's ReLU patterns) see them.
    public override Tensor forward(Tensor input) => op.call(input);
}

/// <summary>The depthwise half that <see cref="SepConv"/> and <see cref="DilConv"/> share.</summary>
internal static class DepthwiseSeparable
{
    /// <summary>
    /// One k×k filter per channel (groups = channels), no bias, padding dilation·(k − 1)/2 so that H×W is kept at
    /// stride 1 and halved (rounding up) at stride 2, as NB201's 3×3 convolution with padding 1 does.
    /// </summary>
    public static Conv2d Depthwise(long channels, long kernel, long stride, long dilation)
    {
        if (kernel % 2 == 0)
            throw new ArgumentException($"A depthwise convolution here needs an odd kernel, not {kernel}.");
        return nn.Conv2d(
            channels,
            channels,
            kernel,
            stride: stride,
            padding: dilation * (kernel - 1) / 2,
            dilation: dilation,
            groups: channels,
            bias: false
        );
    }
}
