namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// The moves of a space whose architectures are a fixed number of positions, each one of the same list of choices (NB201's
/// edges, the macro space's layers, NATS-size's channel counts): sampling, a one-position mutation, uniform crossover, the
/// one-position neighbours and the one-hot encoding. A space turns the choices these return into its architectures.
/// The random draws come in one fixed order (Sample: one a position; Mutate: the position, then its new choice;
/// Crossover: one a position): seeded races, DeterminismTests and the sampled tables in bench/spaces depend on it.
/// </summary>
internal sealed class UniformChoices
{
    private readonly string[] _choices;
    private readonly Dictionary<string, int> _index;

    /// <summary>
    /// <paramref name="positions"/> positions, each one of <paramref name="choices"/>; a choice listed twice is refused
    /// by name (<see cref="ArgumentException"/>).
    /// </summary>
    public UniformChoices(IReadOnlyList<string> choices, int positions)
    {
        _choices = choices.ToArray();
        _index = new Dictionary<string, int>(_choices.Length, StringComparer.Ordinal);
        foreach (string choice in _choices)
            if (!_index.TryAdd(choice, _index.Count))
                throw new ArgumentException(
                    $"operation names must be distinct: '{choice}' is listed twice",
                    nameof(choices)
                );
        Positions = positions;
    }

    public int Positions { get; }
    public IReadOnlyList<string> Choices => _choices;

    public bool Has(string choice) => _index.ContainsKey(choice);

    public bool HasAll(IReadOnlyList<string> choices) => choices.Count == Positions && choices.All(_index.ContainsKey);

    public string[] Sample(Random random)
    {
        var choices = new string[Positions];
        for (int i = 0; i < Positions; i++)
            choices[i] = _choices[random.Next(_choices.Length)];
        return choices;
    }

    /// <summary>One position changed to another choice, uniformly among the others.</summary>
    public string[] Mutate(IReadOnlyList<string> parent, Random random)
    {
        var choices = parent.ToArray();
        int position = random.Next(Positions);
        int current = _index[choices[position]];
        int replacement = random.Next(_choices.Length - 1);
        if (replacement >= current)
            replacement++;
        choices[position] = _choices[replacement];
        return choices;
    }

    /// <summary>Each position from either parent with even odds.</summary>
    public string[] Crossover(IReadOnlyList<string> first, IReadOnlyList<string> second, Random random)
    {
        var choices = new string[Positions];
        for (int i = 0; i < Positions; i++)
            choices[i] = random.Next(2) == 0 ? first[i] : second[i];
        return choices;
    }

    /// <summary>Every choice list one position away, position by position, in choice order within a position.</summary>
    public IEnumerable<string[]> Neighbours(IReadOnlyList<string> center)
    {
        for (int i = 0; i < Positions; i++)
            foreach (string choice in _choices)
            {
                if (choice == center[i])
                    continue;
                var choices = center.ToArray();
                choices[i] = choice;
                yield return choices;
            }
    }

    /// <summary>The number of neighbours of any choice list.</summary>
    public int NeighbourCount => Positions * (_choices.Length - 1);

    /// <summary>One-hot: one block a position, one value a choice, in choice order.</summary>
    public float[] Encode(IReadOnlyList<string> choices)
    {
        var vector = new float[Positions * _choices.Length];
        for (int i = 0; i < Positions; i++)
            vector[i * _choices.Length + _index[choices[i]]] = 1f;
        return vector;
    }

    /// <summary>The index of <paramref name="choice"/> in the choice list.</summary>
    public int IndexOf(string choice) => _index[choice];
}
