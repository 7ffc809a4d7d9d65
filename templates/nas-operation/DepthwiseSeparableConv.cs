using Nas.Sandbox.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DepthwiseSeparableConv;

/// <summary>
/// A new operation for cell edges: a depthwise-separable 3×3 convolution (Chollet, "Xception", CVPR 2017; the building
/// block of DARTS' <c>sep_conv_3x3</c>, Liu et al. 2019). A 3×3 filter per input channel, then a 1×1 convolution
/// mixing channels: about 9C + C² parameters and multiply-adds instead of a full 3×3 convolution's 9C², for a similar
/// receptive field.
/// <para>
/// The host finds every public, non-abstract class implementing <see cref="IOperation"/> with a parameterless
/// constructor in the pack's dll and registers it under <see cref="Name"/>; a space then lists it next to
/// NAS-Bench-201's operations: <c>nas race --operations none,skip_connect,nor_conv_3x3,depthwise_separable_conv</c>.
/// Its name may not clash with a built-in operation or one from another pack or script. What to edit:
/// <see cref="Name"/> (snake_case, as in architecture strings) and the module below.
/// </para>
/// </summary>
public sealed class DepthwiseSeparableConvOperation : IOperation
{
    public string Name => "depthwise_separable_conv";

    /// <summary>
    /// The contract: a module mapping [batch, channelsIn, H, W] to [batch, channelsOut, H/stride, W/stride]
    /// (the network uses stride 1 inside cells; keep stride 2 working too, with the same rounding as a 3×3
    /// convolution with padding 1).
    /// </summary>
    public nn.Module<Tensor, Tensor> Build(int channelsIn, int channelsOut, int stride) =>
        new DepthwiseSeparableConvModule(channelsIn, channelsOut, stride);
}

/// <summary>
/// ReLU → depthwise Conv2d 3×3 (one filter per input channel, padding 1 keeps H×W at stride 1) → pointwise Conv2d 1×1
/// → BatchNorm2d, in NAS-Bench-201's ReLU-Conv-BN order. Rules for modules: keep submodules in fields and call
/// <c>RegisterComponents()</c> in the constructor (so their parameters are trained and moved to the device), and call
/// submodules with <c>.call(x)</c>, not <c>.forward(x)</c>, so hooks (the FLOPs counter) see them.
/// </summary>
public sealed class DepthwiseSeparableConvModule : nn.Module<Tensor, Tensor>
{
    // Field names become parameter names (depthwise.weight, ...).
    private readonly Conv2d depthwise;
    private readonly Conv2d pointwise;
    private readonly BatchNorm bn;

    public DepthwiseSeparableConvModule(long channelsIn, long channelsOut, long stride)
        : base(nameof(DepthwiseSeparableConvModule))
    {
        depthwise = nn.Conv2d(
            channelsIn,
            channelsIn,
            kernel_size: 3,
            stride: stride,
            padding: 1,
            groups: channelsIn,
            bias: false
        );
        pointwise = nn.Conv2d(channelsIn, channelsOut, kernel_size: 1, bias: false);
        bn = SafeTorch.BatchNorm2d(channelsOut); // not nn.BatchNorm2d, whose forward hands libtorch unheld Scalars
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        // Intermediates are freed by the caller's dispose scope (one per batch), as in the built-in operations.
        var activated = input.relu();
        var spatial = depthwise.call(activated);
        var mixed = pointwise.call(spatial);
        return bn.call(mixed);
    }
}
