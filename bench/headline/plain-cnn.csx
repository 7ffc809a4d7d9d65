// plain-cnn.csx — the "plain CNN" of the headline experiment (bench/headline.sh, docs/guide/training.md#the-headline-experiment):
// a VGG-style network (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
// ICLR 2015, with batch norm after each convolution as Ioffe & Szegedy 2015 added it): stages of 3×3 Conv-BN-ReLU
// layers, a 2×2 max pool between stages, global average pooling and one linear classifier. No skip connections, no
// cell: the hand-designed baseline a searched cell has to beat.
//
// It is published as a search space so that `nas train` trains, tests and exports it exactly as it does a searched
// architecture (same data, split, augmentation, optimiser, schedule, export):
//   ./nas train 3x4-3x4-3x4 --space plain-cnn --scripts bench/headline --seeds 3
// An architecture is three stages `MxD-MxD-MxD`: stage s has D ∈ 1..4 layers of width M × C × 2^s, M ∈ 1..4, where C is
// `--channels` (16 by default, NB201's). `3x4-3x4-3x4` at C=16 (widths 48, 96, 192; 12 convolutions) has 1,522,570
// parameters against the all-nor_conv_3x3 NB201 cell's 1,531,258 at C=16, N=5 (a test checks they are within 5 %).
// Every one of the 16^3 = 4,096 architectures can be raced too (`--space plain-cnn --scripts bench/headline`), but that
// is not what it is here for.
using Nas.Sandbox.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

public sealed class PlainCnnSpace : ISearchSpace
{
    private const int Stages = 3;
    private static readonly string[] Choices = Enumerable
        .Range(1, 4)
        .SelectMany(m => Enumerable.Range(1, 4).Select(d => $"{m}x{d}"))
        .ToArray();

    public string Name => "plain-cnn";
    public long Size => (long)Math.Pow(Choices.Length, Stages);
    public IReadOnlyList<string> Operations => Choices;
    public int ChoiceCount => Stages;

    public Architecture FromChoices(IReadOnlyList<string> choices) => new(string.Join("-", choices), choices.ToArray());

    public Architecture Parse(string key)
    {
        var parts = key.Split('-');
        int position = 0;
        for (int i = 0; i < Stages; i++)
        {
            if (i >= parts.Length || !Choices.Contains(parts[i]))
                throw new ArchitectureFormatException(
                    key,
                    position,
                    $"stage {i + 1} of {Stages} as MxD (width multiplier M and depth D in 1..4), stages joined by '-', e.g. 3x4-3x4-3x4"
                );
            position += parts[i].Length + 1;
        }
        if (parts.Length > Stages)
            throw new ArchitectureFormatException(key, position - 1, $"the end: plain-cnn has {Stages} stages");
        return FromChoices(parts);
    }

    public bool Contains(Architecture a) => a.Choices.Count == Stages && a.Choices.All(Choices.Contains);

    public Architecture Sample(Random random) =>
        FromChoices(Enumerable.Range(0, Stages).Select(_ => Choices[random.Next(Choices.Length)]).ToArray());

    public Architecture Mutate(Architecture parent, Random random)
    {
        var choices = parent.Choices.ToArray();
        int stage = random.Next(Stages);
        int current = Array.IndexOf(Choices, choices[stage]);
        int replacement = random.Next(Choices.Length - 1);
        choices[stage] = Choices[replacement >= current ? replacement + 1 : replacement];
        return FromChoices(choices);
    }

    public Architecture Crossover(Architecture first, Architecture second, Random random) =>
        FromChoices(first.Choices.Select((c, i) => random.Next(2) == 0 ? c : second.Choices[i]).ToArray());

    public IReadOnlyList<Architecture> Neighbours(Architecture center) =>
        Enumerable
            .Range(0, Stages)
            .SelectMany(stage =>
                Choices
                    .Where(c => c != center.Choices[stage])
                    .Select(c =>
                    {
                        var choices = center.Choices.ToArray();
                        choices[stage] = c;
                        return FromChoices(choices);
                    })
            )
            .ToArray();

    public float[] Encode(Architecture architecture)
    {
        var vector = new float[Stages * Choices.Length];
        for (int stage = 0; stage < Stages; stage++)
            vector[stage * Choices.Length + Array.IndexOf(Choices, architecture.Choices[stage])] = 1;
        return vector;
    }
}

public sealed class PlainCnnProvider : ISpaceProvider
{
    public string Name => "plain-cnn";
    public string Description =>
        "VGG-style plain CNN (Simonyan & Zisserman 2015, with batch norm): 3 stages of 3×3 Conv-BN-ReLU, max pool between; the headline's baseline";

    public ISearchSpace CreateSpace(IReadOnlyList<string>? operations) =>
        operations is null
            ? new PlainCnnSpace()
            : throw new ArgumentException("plain-cnn's choices are stage shapes (MxD), not operations");

    public nn.Module<Tensor, Tensor> BuildNetwork(Architecture architecture, NetworkShape shape) =>
        new PlainCnn(architecture.Choices, shape);
}

/// <summary>Stages of Conv3×3(no bias)-BN-ReLU; MaxPool 2×2 after every stage but the last; global average pool; linear.</summary>
public sealed class PlainCnn : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _features;
    private readonly Linear _classifier;

    public PlainCnn(IReadOnlyList<string> stages, NetworkShape shape)
        : base("PlainCnn")
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = shape.InputChannels;
        for (int stage = 0; stage < stages.Count; stage++)
        {
            var parts = stages[stage].Split('x');
            int width = int.Parse(parts[0]) * shape.Channels << stage,
                depth = int.Parse(parts[1]);
            for (int layer = 0; layer < depth; layer++)
            {
                string name = $"s{stage}l{layer}";
                layers.Add((name + "conv", nn.Conv2d(channels, width, 3, padding: 1, bias: false)));
                layers.Add((name + "bn", SafeTorch.BatchNorm2d(width))); // nn.BatchNorm2d with its Scalars held
                layers.Add((name + "relu", nn.ReLU()));
                channels = width;
            }
            if (stage < stages.Count - 1)
                layers.Add(($"s{stage}pool", nn.MaxPool2d(2)));
        }
        layers.Add(("gap", nn.AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", nn.Flatten()));
        _features = nn.Sequential(layers);
        _classifier = nn.Linear(channels, shape.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _classifier.call(_features.call(input));
}
