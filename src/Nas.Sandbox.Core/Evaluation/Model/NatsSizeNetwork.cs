using Nas.Sandbox.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// NATS-Bench's size-space network (Dong et al., TPAMI 2021; xautodl <c>DynamicShapeTinyNet</c>): NAS-Bench-201's
/// skeleton with one cell per stage, five layers whose output channels are the architecture: 3×3 conv-BN stem to c0;
/// cell c0→c0; residual reduction c0→c1; cell c1→c2; residual reduction c2→c3; cell c3→c4; BN-ReLU; global average
/// pooling; a linear classifier. Every cell is the same fixed one (<c>cell</c>, NATS-Bench's best topology).
/// Its fields keep the usual <c>_</c> prefix (not NB201's attribute names): no NATS-Bench checkpoint is loaded into it.
/// </summary>
public sealed class NatsSizeNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _stem;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _cells = new();
    private readonly BatchNorm _lastBatchNorm;
    private readonly Linear _classifier;

    public NatsSizeNetwork(
        IReadOnlyList<int> channels,
        Architecture cell,
        int inputChannels,
        int classes,
        Func<string, int, int, int, nn.Module<Tensor, Tensor>> buildOperation
    )
        : base(nameof(NatsSizeNetwork))
    {
        if (channels.Count != 5)
            throw new ArgumentException($"NATS-Bench's size space has 5 layers, not {channels.Count}.");
        TorchRuntime.EnsureLoaded();
        _stem = nn.Sequential(
            nn.Conv2d(inputChannels, channels[0], 3, padding: 1, bias: false),
            SafeTorch.BatchNorm2d(channels[0])
        );
        int previous = channels[0];
        for (int layer = 0; layer < channels.Count; layer++)
        {
            // Layers 1 and 3 are the stride-2 residual reductions between stages; the others are cells.
            _cells.Add(
                layer % 2 == 1
                    ? new ResNetBasicBlock(previous, channels[layer])
                    : new Nb201Cell(cell, buildOperation, previous, channels[layer])
            );
            previous = channels[layer];
        }
        _lastBatchNorm = SafeTorch.BatchNorm2d(previous);
        _classifier = nn.Linear(previous, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = _stem.call(input);
        foreach (var cell in _cells)
            x = cell.call(x);
        x = nn.functional.relu(_lastBatchNorm.call(x));
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return _classifier.call(x).MoveToOuterDisposeScope();
    }
}
