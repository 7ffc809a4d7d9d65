using System.Text;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// A MobileNetV2-style macro space (Sandler et al., CVPR 2018; searched as ProxylessNAS and Once-for-All search it):
/// 3 stages of 4 layers, each layer one of the operations; <c>skip_connect</c> skips the layer. The default operations
/// are the six inverted residuals <c>mbconv_k{3,5,7}_e{3,6}</c> and <c>skip_connect</c>: 7^12 architectures.
/// Keys list the layers' operations, layers joined by <c>-</c> and stages by <c>|</c>, e.g.
/// <c>mbconv_k3_e3-skip_connect-mbconv_k5_e6-mbconv_k3_e3|…|…</c>. A skipped layer stays in the key where it is, so
/// every architecture has 12 choices and a mutation changes exactly one of them; two keys that differ only in where a
/// stage's skips fall are different keys (and different encodings) for equivalent networks.
/// </summary>
public sealed class MacroSpace : ISearchSpace
{
    public const string SpaceName = "macro";
    public const int StageCount = 3;
    public const int LayersPerStage = 4;
    public const int LayerCount = StageCount * LayersPerStage;
    public const char LayerSeparator = '-';
    public const char StageSeparator = '|';

    /// <summary>The six inverted residuals, then <c>skip_connect</c>.</summary>
    public static readonly IReadOnlyList<string> DefaultOperations =
    [
        "mbconv_k3_e3",
        "mbconv_k3_e6",
        "mbconv_k5_e3",
        "mbconv_k5_e6",
        "mbconv_k7_e3",
        "mbconv_k7_e6",
        "skip_connect",
    ];

    private readonly UniformChoices _choices;

    public MacroSpace()
        : this(DefaultOperations) { }

    /// <summary>A macro space whose layers choose among <paramref name="operations"/> (names of the host's registry).</summary>
    public MacroSpace(IReadOnlyList<string> operations)
    {
        if (operations.Count < 2)
            throw new ArgumentException("a macro space needs at least two operations", nameof(operations));
        foreach (string op in operations)
        {
            if (string.IsNullOrEmpty(op) || op.IndexOfAny([LayerSeparator, StageSeparator]) >= 0)
                throw new ArgumentException(
                    $"operation name '{op}' cannot be used in a macro key (it separates layers with '{LayerSeparator}' and stages with '{StageSeparator}')",
                    nameof(operations)
                );
            // Every layer feeds the next: a zero layer would make every network's output a constant.
            if (op == "none")
                throw new ArgumentException(
                    "'none' cuts the macro chain (a layer of zeros makes the network's output a constant); use skip_connect to skip a layer",
                    nameof(operations)
                );
        }
        _choices = new UniformChoices(operations, LayerCount);
        Size = CountArchitectures(operations.Count);
    }

    public string Name => SpaceName;
    public long Size { get; }
    public IReadOnlyList<string> Operations => _choices.Choices;
    public int ChoiceCount => LayerCount;

    /// <summary>The most operations whose 12th power a long holds (38^12 ≈ 9.1·10^18; 39^12 does not fit).</summary>
    public const int MaxOperations = 38;

    private static long CountArchitectures(int operations)
    {
        if (operations > MaxOperations)
            throw new ArgumentException(
                $"{operations} operations make {operations}^{LayerCount} architectures, more than the space can count; use at most {MaxOperations}"
            );
        long size = 1;
        for (int i = 0; i < LayerCount; i++)
            size *= operations;
        return size;
    }

    /// <summary>The stage (0-based) and layer within it (0-based) of choice <paramref name="choice"/>.</summary>
    public static (int Stage, int Layer) Position(int choice) => (choice / LayersPerStage, choice % LayersPerStage);

    public static string Format(IReadOnlyList<string> choices)
    {
        var key = new StringBuilder();
        for (int i = 0; i < choices.Count; i++)
        {
            if (i > 0)
                key.Append(i % LayersPerStage == 0 ? StageSeparator : LayerSeparator);
            key.Append(choices[i]);
        }
        return key.ToString();
    }

    public Architecture FromChoices(IReadOnlyList<string> choices)
    {
        if (choices.Count != LayerCount)
            throw new ArgumentException(
                $"A {SpaceName} architecture has {LayerCount} layers ({StageCount} stages of {LayersPerStage}), not {choices.Count}."
            );
        foreach (string op in choices)
            if (!_choices.Has(op))
                throw new ArgumentException($"'{op}' is not an operation of space '{Name}'.");
        return new Architecture(Format(choices), choices);
    }

    public Architecture Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var choices = new string[LayerCount];
        int pos = 0;
        for (int i = 0; i < LayerCount; i++)
        {
            var (stage, layer) = Position(i);
            int start = pos;
            while (pos < key.Length && key[pos] != LayerSeparator && key[pos] != StageSeparator)
                pos++;
            string op = key[start..pos];
            if (!_choices.Has(op))
                throw new ArchitectureFormatException(
                    key,
                    start,
                    $"the operation of stage {stage + 1}, layer {layer + 1}, one of {string.Join(", ", Operations)}"
                        + (op.Length > 0 ? $", not '{op}'" : "")
                );
            choices[i] = op;
            if (i == LayerCount - 1)
                break;
            char expected = layer < LayersPerStage - 1 ? LayerSeparator : StageSeparator;
            if (pos >= key.Length || key[pos] != expected)
                throw new ArchitectureFormatException(
                    key,
                    pos,
                    (
                        expected == LayerSeparator
                            ? $"'{LayerSeparator}' and layer {layer + 2} of stage {stage + 1}"
                            : $"'{StageSeparator}' and stage {stage + 2}"
                    )
                        + $" (a {SpaceName} key has {StageCount} stages of {LayersPerStage} layers)"
                        + (pos >= key.Length ? ", not the end of the string" : $", not '{key[pos]}'")
                );
            pos++;
        }
        if (pos != key.Length)
            throw new ArchitectureFormatException(
                key,
                pos,
                $"the end of the string after stage {StageCount}'s {LayersPerStage} layers"
            );
        return FromChoices(choices);
    }

    public bool Contains(Architecture architecture) =>
        _choices.HasAll(architecture.Choices) && architecture.Key == Format(architecture.Choices);

    public Architecture Sample(Random random) => FromChoices(_choices.Sample(random));

    public Architecture Mutate(Architecture parent, Random random) =>
        FromChoices(_choices.Mutate(parent.Choices, random));

    public Architecture Crossover(Architecture first, Architecture second, Random random) =>
        FromChoices(_choices.Crossover(first.Choices, second.Choices, random));

    public IReadOnlyList<Architecture> Neighbours(Architecture center) =>
        _choices.Neighbours(center.Choices).Select(FromChoices).ToList();

    /// <summary>One-hot: 12 blocks (stage 1's layers first) of one value per operation.</summary>
    public float[] Encode(Architecture architecture) => _choices.Encode(architecture.Choices);
}
