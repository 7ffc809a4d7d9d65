using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// The MobileNetV2-style macro space, published as any space is (source "built-in"): <see cref="MacroSpace"/> over the
/// race's operations, its network (<see cref="MacroNetwork"/> at the race's C; every layer built by the host's registry,
/// so plugin and script operations work too), and one line per stage in the console. The race's <c>--cells</c> does
/// not apply: the space has 4 layers per stage whatever it says (a space's choice count cannot depend on it).
/// </summary>
public sealed class MacroSpaceProvider : ISpaceProvider
{
    public string Name => MacroSpace.SpaceName;

    public string Description =>
        "MobileNetV2-style chain (Sandler et al., CVPR 2018; as ProxylessNAS, Once-for-All): 3 stages of 4 layers, each an inverted residual (kernel 3/5/7, expansion 3/6) or skipped; --operations changes them.";

    public ISearchSpace CreateSpace(IReadOnlyList<string>? operations) =>
        operations is null or { Count: 0 } ? new MacroSpace() : new MacroSpace(operations);

    public nn.Module<Tensor, Tensor> BuildNetwork(Architecture architecture, NetworkShape shape) =>
        new MacroNetwork(
            Stages(architecture),
            shape.Channels,
            shape.InputChannels,
            shape.Classes,
            shape.BuildOperation
        );

    /// <summary>The architecture's layer operations, stage by stage.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Stages(Architecture architecture)
    {
        if (architecture.Choices.Count != MacroSpace.LayerCount)
            throw new ArgumentException(
                $"A {MacroSpace.SpaceName} architecture has {MacroSpace.LayerCount} layers, not {architecture.Choices.Count}."
            );
        return architecture.Choices.Chunk(MacroSpace.LayersPerStage).ToArray();
    }

    /// <summary>
    /// One line per stage: its number, its width (C, 2C, 4C), '↓' where it starts with the fixed stride-2 block, and
    /// a 4-character code per layer (<c>k5e6</c> for <c>mbconv_k5_e6</c>, <c>····</c> for a skipped one, other
    /// operations as the cell diagram codes them). Too wide, the "stage" word goes, then the line is cut.
    /// </summary>
    public IReadOnlyList<string> Draw(Architecture architecture, int maxWidth)
    {
        var stages = Stages(architecture);
        int width = Math.Max(1, maxWidth);
        var lines = new List<string>(stages.Count);
        for (int stage = 0; stage < stages.Count; stage++)
        {
            string layers = string.Join(' ', stages[stage].Select(Code));
            string widthLabel = stage == 0 ? " C" : $"{1 << stage}C";
            string entry = stage == 0 ? " " : "↓";
            string line = $"stage {stage + 1} {widthLabel} {entry} {layers}";
            if (line.Length > width)
                line = $"{stage + 1} {layers}";
            lines.Add(line.Length > width ? line[..width] : line);
        }
        return lines;
    }

    private static string Code(string operation) =>
        operation == "skip_connect" ? "····" : Nb201CellDiagram.CompactCode(operation);
}
