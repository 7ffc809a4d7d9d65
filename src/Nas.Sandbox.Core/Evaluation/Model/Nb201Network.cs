using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Operations;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// NAS-Bench-201's network (<c>TinyNetwork</c>): 3×3 conv-BN stem to C channels; three stages of N cells at C, 2C and
/// 4C channels with a residual reduction block before the second and third; BN-ReLU; global average pooling; a
/// linear classifier. With <see cref="NetworkSettings.Nb201Cifar10"/> it is the benchmark's network, parameter for parameter.
/// The cells come from a factory (given the stage's channels), so a supernet (DARTS, GDAS) shares the same skeleton.
/// </summary>
public sealed class Nb201Network : nn.Module<Tensor, Tensor>
{
    private readonly Sequential stem;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> cells = new();
    private readonly BatchNorm lastact_bn;
    private readonly Linear classifier;

    public Nb201Network(Architecture architecture, NetworkSettings settings, OperationRegistry operations)
        : this(settings, channels => new Nb201Cell(architecture, operations, channels)) { }

    /// <summary>The skeleton with cells built by <paramref name="cell"/> for the given channel count (C, 2C or 4C).</summary>
    public Nb201Network(NetworkSettings settings, Func<int, nn.Module<Tensor, Tensor>> cell)
        : base(nameof(Nb201Network))
    {
        TorchRuntime.EnsureLoaded(); // the log level, before this network's first convolution (a CLI loads libtorch lazily)
        settings.Validate();
        int c = settings.Channels;
        stem = nn.Sequential(
            nn.Conv2d(settings.InputChannels, c, 3, padding: 1, bias: false),
            SafeTorch.BatchNorm2d(c)
        );
        int channels = c;
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                cells.Add(new ResNetBasicBlock(channels, channels * 2));
                channels *= 2;
            }
            for (int i = 0; i < settings.CellsPerStage; i++)
                cells.Add(cell(channels));
        }
        lastact_bn = SafeTorch.BatchNorm2d(channels);
        classifier = nn.Linear(channels, settings.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = stem.call(input);
        foreach (var cell in cells)
            x = cell.call(x);
        x = nn.functional.relu(lastact_bn.call(x));
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return classifier.call(x).MoveToOuterDisposeScope();
    }
}
