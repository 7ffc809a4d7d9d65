using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// <c>skip_connect</c> when the shape changes (NAS-Bench-201's <c>FactorizedReduce</c>): for stride 2, two 1×1
/// convolutions on the input and on the input shifted by one pixel, concatenated; for stride 1, one 1×1 convolution.
/// Then a batch norm as <see cref="BatchNormOptions"/> asks (<see cref="BatchNormOptions.Standard"/> by default).
/// </summary>
public sealed class FactorizedReduce : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d first;
    private readonly Conv2d? second;
    private readonly BatchNorm bn;

    public FactorizedReduce(long channelsIn, long channelsOut, long stride, BatchNormOptions? batchNorm = null)
        : base(nameof(FactorizedReduce))
    {
        if (stride == 2)
        {
            first = nn.Conv2d(channelsIn, channelsOut / 2, 1, stride: 2, bias: false);
            second = nn.Conv2d(channelsIn, channelsOut - channelsOut / 2, 1, stride: 2, bias: false);
        }
        else if (stride == 1)
        {
            first = nn.Conv2d(channelsIn, channelsOut, 1, bias: false);
        }
        else
            throw new ArgumentException($"FactorizedReduce supports stride 1 or 2, not {stride}.");
        bn = (batchNorm ?? BatchNormOptions.Standard).Build(channelsOut);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor output;
        if (second is null)
            output = first.call(input);
        else
        {
            var activated = nn.functional.relu(input);
            var shifted = nn.functional.pad(activated, [0, 1, 0, 1])[.., .., 1.., 1..];
            output = cat([first.call(activated), second.call(shifted)], 1);
        }
        return bn.call(output).MoveToOuterDisposeScope();
    }
}
