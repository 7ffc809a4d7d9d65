using System.Globalization;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// NATS-Bench's size search space (Dong et al., "NATS-Bench", TPAMI 2021): NAS-Bench-201's skeleton with one fixed cell
/// per stage, the output channels of each of its 5 layers (stem and first cell, first reduction, second cell, second
/// reduction, third cell) chosen from {8, 16, …, 64}: 8^5 = 32,768 architectures. Keys are NATS-Bench's own strings,
/// the five channel counts joined by colons, e.g. <c>64:64:64:64:64</c>. The choices (what
/// <see cref="ISearchSpace.Operations"/> lists) are the channel counts as text.
/// </summary>
public sealed class NatsSizeSpace : ISearchSpace
{
    public const string SpaceName = "nats-size";
    public const int LayerCount = 5;

    /// <summary>The channel counts a layer can have, in encoding order.</summary>
    public static readonly IReadOnlyList<string> Channels = ["8", "16", "24", "32", "40", "48", "56", "64"];

    /// <summary>The cell every stage uses (NATS-Bench's, its topology space's best: NAS-Bench-201 index 9930).</summary>
    public const string FixedCell =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

    private static readonly UniformChoices Layers = new(Channels, LayerCount);

    public string Name => SpaceName;
    public long Size => (long)Math.Pow(Channels.Count, LayerCount);
    public IReadOnlyList<string> Operations => Channels;
    public int ChoiceCount => LayerCount;

    public Architecture FromChoices(IReadOnlyList<string> choices)
    {
        if (choices.Count != LayerCount)
            throw new ArgumentException($"A {SpaceName} architecture has {LayerCount} layers, not {choices.Count}.");
        foreach (string c in choices)
            if (!Layers.Has(c))
                throw new ArgumentException(
                    $"'{c}' is not a channel count of space '{SpaceName}' ({string.Join(", ", Channels)})."
                );
        return new Architecture(string.Join(':', choices), choices);
    }

    public Architecture Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var choices = new List<string>(LayerCount);
        int start = 0;
        for (int layer = 0; layer < LayerCount; layer++)
        {
            int end = layer < LayerCount - 1 ? key.IndexOf(':', start) : key.Length;
            if (end < 0)
                throw new ArchitectureFormatException(
                    key,
                    key.Length,
                    $"':' and the channels of layer {layer + 2} (a {SpaceName} key has {LayerCount} layers)"
                );
            string channels = key[start..end];
            if (!Layers.Has(channels))
                throw new ArchitectureFormatException(
                    key,
                    start,
                    $"the channels of layer {layer + 1}, one of {string.Join(", ", Channels)}"
                        + (channels.Contains(':') ? $" (a {SpaceName} key has {LayerCount} layers)" : "")
                );
            choices.Add(channels);
            start = end + 1;
        }
        return FromChoices(choices);
    }

    public bool Contains(Architecture architecture) =>
        Layers.HasAll(architecture.Choices) && architecture.Key == string.Join(':', architecture.Choices);

    public Architecture Sample(Random random) => FromChoices(Layers.Sample(random));

    public Architecture Mutate(Architecture parent, Random random) =>
        FromChoices(Layers.Mutate(parent.Choices, random));

    public Architecture Crossover(Architecture first, Architecture second, Random random) =>
        FromChoices(Layers.Crossover(first.Choices, second.Choices, random));

    public IReadOnlyList<Architecture> Neighbours(Architecture center) =>
        Layers.Neighbours(center.Choices).Select(FromChoices).ToList();

    /// <summary>One-hot, <see cref="LayerCount"/> blocks of 8 (one per channel count).</summary>
    public float[] Encode(Architecture architecture) => Layers.Encode(architecture.Choices);

    /// <summary>The channel counts of an architecture's five layers.</summary>
    public static int[] LayerChannels(Architecture architecture) =>
        architecture.Choices.Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
}
