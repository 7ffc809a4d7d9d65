using Nas.Sandbox.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// MobileNetV2's inverted residual block (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
/// CVPR 2018), the "MBConv" that ProxylessNAS and Once-for-All search over, behind <c>mbconv_kK_eE</c>: a 1×1
/// convolution expanding Cin to E·Cin channels → BN → ReLU6; a depthwise K×K convolution (stride, padding (K − 1)/2) →
/// BN → ReLU6; a 1×1 linear projection to Cout → BN (no activation: the linear bottleneck). When stride is 1 and
/// Cin = Cout the input is added to the result (the inverted residual); otherwise there is no shortcut, as in
/// MobileNetV2. An expansion of 1 omits the first convolution, as torchvision does.
/// <para>Parameters with affine batch norms, h = E·Cin: Cin·h + 2h (expansion, when E ≠ 1) + K²·h + 2h (depthwise) +
/// h·Cout + 2·Cout (projection). The modules sit in one sequence <c>conv</c> laid out as torchvision's
/// <c>InvertedResidual</c> (<c>conv.0.0</c>/<c>conv.0.1</c> the expansion's convolution and batch norm,
/// <c>conv.1.0</c>/<c>conv.1.1</c> the depthwise ones, <c>conv.2</c>/<c>conv.3</c> the projection's), so its state-dict
/// keys are torchvision's own.</para>
/// </summary>
public sealed class InvertedResidual : nn.Module<Tensor, Tensor>
{
    private readonly Sequential conv;
    private readonly bool use_res_connect;

    public InvertedResidual(
        long channelsIn,
        long channelsOut,
        long kernel,
        long expansion,
        long stride,
        BatchNormOptions? batchNorm = null
    )
        : base(nameof(InvertedResidual))
    {
        if (expansion < 1)
            throw new ArgumentException(
                $"An inverted residual needs an expansion ratio of at least 1, not {expansion}."
            );
        var bn = batchNorm ?? BatchNormOptions.Standard;
        long hidden = channelsIn * expansion;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        if (expansion != 1)
            layers.Add(nn.Sequential(nn.Conv2d(channelsIn, hidden, 1, bias: false), bn.Build(hidden), nn.ReLU6()));
        layers.Add(
            nn.Sequential(
                DepthwiseSeparable.Depthwise(hidden, kernel, stride, dilation: 1),
                bn.Build(hidden),
                nn.ReLU6()
            )
        );
        layers.Add(nn.Conv2d(hidden, channelsOut, 1, bias: false));
        layers.Add(bn.Build(channelsOut));
        conv = nn.Sequential(layers);
        use_res_connect = stride == 1 && channelsIn == channelsOut;
        RegisterComponents();
    }

    /// <summary>True when the block adds its input to its output (stride 1, Cin = Cout).</summary>
    public bool HasShortcut => use_res_connect;

    // Sequential calls each module with .call, so hooks (the FLOPs counter, NASWOT's activation patterns) see them.
    public override Tensor forward(Tensor input) =>
        use_res_connect ? SafeTorch.Plus(input, conv.call(input)) : conv.call(input);
}
