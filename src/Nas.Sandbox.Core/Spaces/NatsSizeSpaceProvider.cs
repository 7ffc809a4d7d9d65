using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// NATS-Bench's size space, published as any space is (source "built-in"): <see cref="NatsSizeSpace"/>, its network
/// (<see cref="NatsSizeNetwork"/>, the fixed cell made of the host's built-in <c>nor_conv_3x3</c> and
/// <c>skip_connect</c>), and a bar per layer in the console. The network's size is the architecture: the race's
/// <c>--channels</c> and <c>--cells</c> do not apply (NATS-Bench fixes one cell per stage).
/// </summary>
public sealed class NatsSizeSpaceProvider : ISpaceProvider
{
    private static readonly Architecture Cell = new Nb201Space().Parse(NatsSizeSpace.FixedCell);
    private static readonly string[] LayerNames = ["stem+cell", "reduce", "cell", "reduce", "cell"];

    public string Name => NatsSizeSpace.SpaceName;

    public string Description =>
        "NATS-Bench's size space: NB201's skeleton, a fixed cell, 5 layers' channels from 8 to 64 (Dong et al., TPAMI 2021).";

    public ISearchSpace CreateSpace(IReadOnlyList<string>? operations) =>
        operations is null
            ? new NatsSizeSpace()
            : throw new ArgumentException(
                "its choices are channel counts (8 to 64 per layer), not operations; drop --operations"
            );

    public nn.Module<Tensor, Tensor> BuildNetwork(Architecture architecture, NetworkShape shape) =>
        new NatsSizeNetwork(
            NatsSizeSpace.LayerChannels(architecture),
            Cell,
            shape.InputChannels,
            shape.Classes,
            shape.BuildOperation
        );

    /// <summary>One line per layer: its role, its channels and a bar of one block per 8 channels.</summary>
    public IReadOnlyList<string> Draw(Architecture architecture, int maxWidth)
    {
        var lines = new List<string>(NatsSizeSpace.LayerCount);
        for (int layer = 0; layer < architecture.Choices.Count; layer++)
        {
            int channels = int.Parse(architecture.Choices[layer], CultureInfo.InvariantCulture);
            string line = $"{LayerNames[layer % LayerNames.Length], -9} {channels, 2} {new string('█', channels / 8)}";
            lines.Add(line.Length > maxWidth ? line[..Math.Max(1, maxWidth)] : line);
        }
        return lines;
    }
}
