using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Operations;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// The macro space's network, a small MobileNetV2 (Sandler et al., CVPR 2018) for 28×28 images: a 3×3 conv-BN-ReLU6
/// stem to C channels; three stages at C, 2C and 4C channels (full, half and quarter resolution), the second and third
/// entered by a fixed stride-2 inverted residual (kernel 3, expansion 6, MobileNetV2's own downsampling block), each
/// stage then a chain of searchable layers at stride 1 (an operation of the host's registry built C→C, where
/// <c>skip_connect</c> is the identity); MobileNetV2's head: a 1×1 conv-BN-ReLU6 to 4× the last width, global average
/// pooling, a linear classifier.
/// </summary>
public sealed class MacroNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>The fixed reduction block: MobileNetV2's downsampling bottleneck (k = 3, t = 6).</summary>
    public const int ReductionKernel = 3,
        ReductionExpansion = 6;

    /// <summary>The head's width over the last stage's, as MobileNetV2's 1280 over 320.</summary>
    public const int HeadRatio = 4;

    private readonly Sequential _stem;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _layers = new();
    private readonly Sequential _head;
    private readonly Linear _classifier;

    /// <param name="stages">Each stage's layer operations, in order.</param>
    /// <param name="channels">C, the first stage's width.</param>
    /// <param name="buildOperation">The host's operations: (name, channelsIn, channelsOut, stride).</param>
    public MacroNetwork(
        IReadOnlyList<IReadOnlyList<string>> stages,
        int channels,
        int inputChannels,
        int classes,
        Func<string, int, int, int, nn.Module<Tensor, Tensor>> buildOperation
    )
        : base(nameof(MacroNetwork))
    {
        if (channels < 1)
            throw new ArgumentException($"The macro network needs at least 1 channel, not {channels}.");
        TorchRuntime.EnsureLoaded();
        _stem = nn.Sequential(
            nn.Conv2d(inputChannels, channels, 3, padding: 1, bias: false),
            SafeTorch.BatchNorm2d(channels),
            nn.ReLU6()
        );
        int width = channels;
        for (int stage = 0; stage < stages.Count; stage++)
        {
            if (stage > 0)
            {
                _layers.Add(new InvertedResidual(width, width * 2, ReductionKernel, ReductionExpansion, stride: 2));
                width *= 2;
            }
            foreach (string operation in stages[stage])
                _layers.Add(buildOperation(operation, width, width, 1));
        }
        _head = nn.Sequential(
            nn.Conv2d(width, width * HeadRatio, 1, bias: false),
            SafeTorch.BatchNorm2d(width * HeadRatio),
            nn.ReLU6()
        );
        _classifier = nn.Linear(width * HeadRatio, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = _stem.call(input);
        foreach (var layer in _layers)
            x = layer.call(x);
        x = _head.call(x);
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return _classifier.call(x).MoveToOuterDisposeScope();
    }
}
