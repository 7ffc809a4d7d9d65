// nor-dil-conv-3x3.csx — a new operation for cell edges: a plain (non-separable) dilated 3×3 convolution.
//
// The idea: a 3×3 convolution with dilation 2 sees a 5×5 window with the parameters (and multiply-adds) of a 3×3 one:
// a cheap way to widen the receptive field. DARTS (Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search",
// ICLR 2019) has a dilated convolution, the built-in `dil_conv_3x3`, but a separable one (ReLU → depthwise dilated conv
// → pointwise conv → BN). This is the plain form in NAS-Bench-201's ReLU-Conv-BN style, hence `nor_` like
// `nor_conv_3x3`: the same parameter count as nor_conv_3x3 (9C² + 2C), a wider view.
//
// How to read it as a how-to:
//  * An operation is an IOperation: a Name used in architecture strings and Build(channelsIn, channelsOut, stride)
//    returning a TorchSharp module mapping [B, Cin, H, W] to [B, Cout, H/stride, W/stride].
//  * The module is a class in the script. Keep submodules in fields and call RegisterComponents() in the constructor
//    (so parameters are found, moved to the device and trained); invoke submodules with .call(x), not .forward(x), so
//    hooks (the FLOPs counter) see them.
//  * Build batch norms with SafeTorch.BatchNorm2d and add tensors with SafeTorch.Plus, not nn.BatchNorm2d and a + b:
//    TorchSharp's own hand libtorch Scalars that nothing holds, which a garbage collection can free mid-call.
//  * To use it, the host registers it in its OperationRegistry and a space lists its name next to the built-in ones:
//    nas race --operations none,skip_connect,nor_conv_3x3,nor_dil_conv_3x3 ...
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

public sealed class DilatedConv3x3 : IOperation
{
    public string Name => "nor_dil_conv_3x3";

    public nn.Module<Tensor, Tensor> Build(int channelsIn, int channelsOut, int stride) =>
        new ReluDilConvBn(channelsIn, channelsOut, stride);
}

/// <summary>ReLU → Conv2d 3×3, dilation 2, padding 2 (keeps H×W at stride 1), no bias → BatchNorm2d.</summary>
public sealed class ReluDilConvBn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm bn;

    public ReluDilConvBn(long channelsIn, long channelsOut, long stride)
        : base(nameof(ReluDilConvBn))
    {
        conv = nn.Conv2d(channelsIn, channelsOut, kernel_size: 3, stride: stride, padding: 2, dilation: 2, bias: false);
        bn = SafeTorch.BatchNorm2d(channelsOut); // nn.BatchNorm2d, with its Scalars held (see SafeTorch)
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        // Intermediates are freed by the caller's dispose scope (one per batch), as in the built-in operations.
        var activated = input.relu();
        var convolved = conv.call(activated);
        return bn.call(convolved);
    }
}
