using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// The NAS-Bench-201 cell space (Dong &amp; Yang, 2020): a cell of 4 nodes whose 6 edges (j ← i for i &lt; j) each carry
/// one operation. Keys are NAS-Bench-201's own strings, e.g.
/// <c>|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|</c>.
/// The operation list can be narrowed or extended (registered plugin operations); the default is NB201's five.
/// </summary>
public sealed class Nb201Space : ISearchSpace
{
    public const int NodeCount = 4;
    public const int EdgeCount = 6;

    /// <summary>NAS-Bench-201's operations, in its own order.</summary>
    public static readonly IReadOnlyList<string> DefaultOperations =
        ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];

    /// <summary>(target node, source node) of each edge, in key order: 1←0, 2←0, 2←1, 3←0, 3←1, 3←2.</summary>
    public static readonly IReadOnlyList<(int To, int From)> Edges = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

    private readonly string[] _operations;
    private readonly Dictionary<string, int> _operationIndex;

    public Nb201Space() : this(DefaultOperations) { }

    public Nb201Space(IReadOnlyList<string> operations, string name = "nb201")
    {
        if (operations.Count < 2) throw new ArgumentException("A cell space needs at least two operations.", nameof(operations));
        foreach (string op in operations)
            if (string.IsNullOrEmpty(op) || op.IndexOfAny(['|', '~', '+']) >= 0)
                throw new ArgumentException($"Operation name '{op}' cannot be used in an NB201 string.", nameof(operations));
        _operations = operations.ToArray();
        _operationIndex = _operations.Select((op, i) => (op, i)).ToDictionary(p => p.op, p => p.i, StringComparer.Ordinal);
        if (_operationIndex.Count != _operations.Length) throw new ArgumentException("Operation names must be distinct.", nameof(operations));
        Name = name;
    }

    public string Name { get; }
    public IReadOnlyList<string> Operations => _operations;
    public int ChoiceCount => EdgeCount;
    public long Size => (long)Math.Pow(_operations.Length, EdgeCount);

    public Architecture FromChoices(IReadOnlyList<string> choices)
    {
        if (choices.Count != EdgeCount) throw new ArgumentException($"An NB201 cell has {EdgeCount} edges, not {choices.Count}.");
        foreach (string op in choices)
            if (!_operationIndex.ContainsKey(op)) throw new ArgumentException($"'{op}' is not an operation of space '{Name}'.");
        return new Architecture(Nb201Format.Format(choices), choices);
    }

    public Architecture Parse(string key) => FromChoices(Nb201Format.Parse(key, _operations));

    public bool Contains(Architecture architecture) =>
        architecture.Choices.Count == EdgeCount
        && architecture.Choices.All(_operationIndex.ContainsKey)
        && architecture.Key == Nb201Format.Format(architecture.Choices);

    public Architecture Sample(Random random)
    {
        var choices = new string[EdgeCount];
        for (int e = 0; e < EdgeCount; e++) choices[e] = _operations[random.Next(_operations.Length)];
        return FromChoices(choices);
    }

    public Architecture Mutate(Architecture parent, Random random)
    {
        var choices = parent.Choices.ToArray();
        int edge = random.Next(EdgeCount);
        int current = _operationIndex[choices[edge]];
        int replacement = random.Next(_operations.Length - 1);
        if (replacement >= current) replacement++;
        choices[edge] = _operations[replacement];
        return FromChoices(choices);
    }

    public Architecture Crossover(Architecture first, Architecture second, Random random)
    {
        var choices = new string[EdgeCount];
        for (int e = 0; e < EdgeCount; e++) choices[e] = random.Next(2) == 0 ? first.Choices[e] : second.Choices[e];
        return FromChoices(choices);
    }

    public IReadOnlyList<Architecture> Neighbours(Architecture center)
    {
        var result = new List<Architecture>(EdgeCount * (_operations.Length - 1));
        for (int e = 0; e < EdgeCount; e++)
            foreach (string op in _operations)
            {
                if (op == center.Choices[e]) continue;
                var choices = center.Choices.ToArray();
                choices[e] = op;
                result.Add(FromChoices(choices));
            }
        return result;
    }

    public float[] Encode(Architecture architecture)
    {
        var vector = new float[EdgeCount * _operations.Length];
        for (int e = 0; e < EdgeCount; e++) vector[e * _operations.Length + _operationIndex[architecture.Choices[e]]] = 1f;
        return vector;
    }

    /// <summary>Every architecture of the space, in mixed-radix order of the edges.</summary>
    public IEnumerable<Architecture> Enumerate()
    {
        var digits = new int[EdgeCount];
        for (long n = 0; n < Size; n++)
        {
            yield return FromChoices(digits.Select(d => _operations[d]).ToArray());
            for (int e = EdgeCount - 1; e >= 0 && ++digits[e] == _operations.Length; e--) digits[e] = 0;
        }
    }
}
