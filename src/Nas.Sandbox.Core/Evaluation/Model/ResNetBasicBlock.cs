using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Operations;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// NAS-Bench-201's reduction block between stages (<c>ResNetBasicblock</c>, stride 2): two 3×3 ReLU-conv-BN on the main
/// path; 2×2 average pooling then a 1×1 convolution on the residual path.
/// </summary>
public sealed class ResNetBasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly ReluConvBn conv_a,
        conv_b;
    private readonly Sequential downsample;

    public ResNetBasicBlock(long channelsIn, long channelsOut)
        : base(nameof(ResNetBasicBlock))
    {
        conv_a = new ReluConvBn(channelsIn, channelsOut, 3, 2, 1);
        conv_b = new ReluConvBn(channelsOut, channelsOut, 3, 1, 1);
        downsample = nn.Sequential(
            nn.AvgPool2d(2, stride: 2, padding: 0),
            nn.Conv2d(channelsIn, channelsOut, 1, stride: 1L, padding: 0L, bias: false)
        );
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var main = conv_b.call(conv_a.call(input));
        var residual = downsample.call(input);
        return SafeTorch.Plus(main, residual);
    }
}
