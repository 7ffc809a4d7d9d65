using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// <c>se_block</c>: a squeeze-and-excitation block (Hu, Shen &amp; Sun, "Squeeze-and-Excitation Networks", CVPR 2018),
/// channel attention on an edge: x · σ(W₂ · ReLU(W₁ · GAP(x) + b₁) + b₂). Global average pooling squeezes each channel
/// to one number; two fully connected layers (1×1 convolutions with bias, as torchvision's <c>SqueezeExcitation</c>
/// names them: <c>fc1</c>, <c>fc2</c>) with reduction 4 turn them into a gate in (0, 1) per channel that rescales x.
/// The hidden width is max(1, C / 4) (integer division), so a cell of 1 to 7 channels still has a gate.
/// <para>It keeps the shape, so when the edge changes it (stride ≠ 1 or Cin ≠ Cout) the input is first reduced the way
/// <c>skip_connect</c> does (<see cref="FactorizedReduce"/>, batch norm as <see cref="BatchNormOptions"/> asks) and the
/// block acts on Cout channels. Parameters with h = max(1, Cout / 4): 2·Cout·h + h + Cout, plus the reduction's
/// Cin·Cout (+ 2·Cout for an affine batch norm) when there is one. It has no batch norm of its own.</para>
/// <para>FLOPs as NB201 counts them: the two 1×1 convolutions (2·C·h + h + C per image); the pooling, the sigmoid and
/// the product are not counted, as NB201's counter does not count the network's own global pooling.</para>
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
    /// <summary>Hidden channels = channels / this (at least 1), Hu et al.'s reduction ratio r for small cells.</summary>
    public const int Reduction = 4;

    private readonly FactorizedReduce? preprocess;
    private readonly Conv2d fc1,
        fc2;
    private readonly ReLU activation;
    private readonly Sigmoid scale_activation;

    public SqueezeExcitation(long channelsIn, long channelsOut, long stride, BatchNormOptions? batchNorm = null)
        : base(nameof(SqueezeExcitation))
    {
        if (stride != 1 || channelsIn != channelsOut)
            preprocess = new FactorizedReduce(channelsIn, channelsOut, stride, batchNorm);
        long hidden = HiddenChannels(channelsOut);
        fc1 = nn.Conv2d(channelsOut, hidden, 1);
        fc2 = nn.Conv2d(hidden, channelsOut, 1);
        activation = nn.ReLU();
        scale_activation = nn.Sigmoid();
        RegisterComponents();
    }

    /// <summary>The excitation's hidden width for <paramref name="channels"/> channels.</summary>
    public static long HiddenChannels(long channels) => Math.Max(1, channels / Reduction);

    public override Tensor forward(Tensor input)
    {
        // Intermediates are freed by the caller's dispose scope (one per batch), as in the other operations.
        var x = preprocess is null ? input : preprocess.call(input);
        var squeezed = nn.functional.adaptive_avg_pool2d(x, 1);
        var gate = scale_activation.call(fc2.call(activation.call(fc1.call(squeezed))));
        return x * gate;
    }
}
