namespace Nas.Sandbox.Abstractions;

/// <summary>A set of architectures and the moves strategies make in it. Implementations are immutable and thread-safe.</summary>
public interface ISearchSpace
{
    /// <summary>Short name used on the command line, e.g. <c>nb201</c>.</summary>
    string Name { get; }

    /// <summary>Number of architectures in the space.</summary>
    long Size { get; }

    /// <summary>Names of the operations a choice can take, in encoding order.</summary>
    IReadOnlyList<string> Operations { get; }

    /// <summary>Number of choices (edges, layers) in one architecture.</summary>
    int ChoiceCount { get; }

    /// <summary>A uniformly random architecture.</summary>
    Architecture Sample(Random random);

    /// <summary>The same architecture with exactly one choice changed to a different operation.</summary>
    Architecture Mutate(Architecture parent, Random random);

    /// <summary>Each choice taken from one of the two parents at random (uniform crossover).</summary>
    Architecture Crossover(Architecture first, Architecture second, Random random);

    /// <summary>Every architecture that differs from <paramref name="center"/> in exactly one choice.</summary>
    IReadOnlyList<Architecture> Neighbours(Architecture center);

    /// <summary>One-hot encoding: <see cref="ChoiceCount"/> blocks of <c>Operations.Count</c> values.</summary>
    float[] Encode(Architecture architecture);

    /// <summary>Architecture from its canonical string; <see cref="ArchitectureFormatException"/> names the position on error.</summary>
    Architecture Parse(string key);

    /// <summary>Architecture from its choices in the space's order.</summary>
    Architecture FromChoices(IReadOnlyList<string> choices);

    /// <summary>True when the architecture belongs to this space (same key format, known operations).</summary>
    bool Contains(Architecture architecture);
}
