using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// The NAS-Bench-201 cell space (Dong &amp; Yang, 2020): a cell of 4 nodes whose 6 edges (j ← i for i &lt; j) each carry
/// one operation. Keys are NAS-Bench-201's own strings, e.g.
/// <c>|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|</c>.
/// The operation list can be narrowed or extended (registered plugin operations); the default is NB201's five.
/// It offers BANANAS' path encoding (<see cref="IPathEncoding"/>): the cell's four input→output paths.
/// </summary>
public sealed class Nb201Space : ISearchSpace, IPathEncoding
{
    public const int NodeCount = 4;
    public const int EdgeCount = 6;

    /// <summary>NAS-Bench-201's operations, in its own order.</summary>
    public static readonly IReadOnlyList<string> DefaultOperations =
    [
        "none",
        "skip_connect",
        "nor_conv_1x1",
        "nor_conv_3x3",
        "avg_pool_3x3",
    ];

    /// <summary>(target node, source node) of each edge, in key order: 1←0, 2←0, 2←1, 3←0, 3←1, 3←2.</summary>
    public static readonly IReadOnlyList<(int To, int From)> Edges = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

    /// <summary>
    /// Every path from the input node 0 to the output node 3, as indices into <see cref="Edges"/>, shortest first:
    /// 3←0; 1←0 then 3←1; 2←0 then 3←2; 1←0, 2←1 then 3←2.
    /// </summary>
    public static readonly IReadOnlyList<int[]> Paths = InputToOutputPaths();

    private readonly UniformChoices _edges;

    public Nb201Space()
        : this(DefaultOperations) { }

    public Nb201Space(IReadOnlyList<string> operations, string name = "nb201")
    {
        if (operations.Count < 2)
            throw new ArgumentException("A cell space needs at least two operations.", nameof(operations));
        foreach (string op in operations)
            if (string.IsNullOrEmpty(op) || op.IndexOfAny(['|', '~', '+']) >= 0)
                throw new ArgumentException(
                    $"Operation name '{op}' cannot be used in an NB201 string.",
                    nameof(operations)
                );
        _edges = new UniformChoices(operations, EdgeCount);
        Name = name;
    }

    public string Name { get; }
    public IReadOnlyList<string> Operations => _edges.Choices;
    public int ChoiceCount => EdgeCount;
    public long Size => (long)Math.Pow(Operations.Count, EdgeCount);

    public Architecture FromChoices(IReadOnlyList<string> choices)
    {
        if (choices.Count != EdgeCount)
            throw new ArgumentException($"An NB201 cell has {EdgeCount} edges, not {choices.Count}.");
        foreach (string op in choices)
            if (!_edges.Has(op))
                throw new ArgumentException($"'{op}' is not an operation of space '{Name}'.");
        return new Architecture(Nb201Format.Format(choices), choices);
    }

    public Architecture Parse(string key) => FromChoices(Nb201Format.Parse(key, Operations));

    public bool Contains(Architecture architecture) =>
        _edges.HasAll(architecture.Choices) && architecture.Key == Nb201Format.Format(architecture.Choices);

    public Architecture Sample(Random random) => FromChoices(_edges.Sample(random));

    public Architecture Mutate(Architecture parent, Random random) =>
        FromChoices(_edges.Mutate(parent.Choices, random));

    public Architecture Crossover(Architecture first, Architecture second, Random random) =>
        FromChoices(_edges.Crossover(first.Choices, second.Choices, random));

    public IReadOnlyList<Architecture> Neighbours(Architecture center) =>
        _edges.Neighbours(center.Choices).Select(FromChoices).ToList();

    public float[] Encode(Architecture architecture) => _edges.Encode(architecture.Choices);

    /// <summary>The path through every node: 1←0, 2←1, 3←2.</summary>
    public int LongestPath => NodeCount - 1;

    public int PathFeatureCount(int maxLength)
    {
        CheckPathLength(maxLength);
        int count = 0;
        for (int length = 1, paths = 1; length <= maxLength; length++)
            count += paths *= Operations.Count;
        return count;
    }

    /// <summary>
    /// As BANANAS' reference code encodes an NB201 cell (naszilla, <c>nas_bench_201/cell_201.py</c>, <c>Cell201.get_paths</c>
    /// and <c>get_path_indices</c>): each of the four paths is a feature whatever its operations, <c>none</c> and
    /// <c>skip_connect</c> included (a path through a <c>none</c> edge carries nothing in the network, but is encoded as
    /// the path it is), so a cell has exactly as many set features as it has paths of at most <paramref name="maxLength"/>
    /// operations. A path of length L is feature <c>(n + … + n^(L−1)) + Σⱼ op(j)·nʲ</c>, n operations, op(j) the index of
    /// its j-th operation from the input. The reference numbers NB201's operations in another order; that only permutes
    /// the features within a length.
    /// </summary>
    public float[] EncodePaths(Architecture architecture, int maxLength)
    {
        var vector = new float[PathFeatureCount(maxLength)];
        int n = Operations.Count;
        foreach (var path in Paths)
        {
            if (path.Length > maxLength)
                continue;
            int index = 0,
                place = 1;
            for (int length = 1; length < path.Length; length++)
                index += place *= n;
            place = 1;
            foreach (int edge in path)
            {
                index += _edges.IndexOf(architecture.Choices[edge]) * place;
                place *= n;
            }
            vector[index] = 1f;
        }
        return vector;
    }

    private void CheckPathLength(int maxLength)
    {
        if (maxLength < 1 || maxLength > LongestPath)
            throw new ArgumentOutOfRangeException(
                nameof(maxLength),
                maxLength,
                $"An NB201 cell's paths have 1 to {LongestPath} operations."
            );
    }

    private static int[][] InputToOutputPaths()
    {
        var paths = new List<int[]>();
        void Walk(int node, List<int> taken)
        {
            if (node == NodeCount - 1)
            {
                paths.Add(taken.ToArray());
                return;
            }
            for (int e = 0; e < EdgeCount; e++)
            {
                if (Edges[e].From != node)
                    continue;
                taken.Add(e);
                Walk(Edges[e].To, taken);
                taken.RemoveAt(taken.Count - 1);
            }
        }
        Walk(0, []);
        return paths.OrderBy(p => p.Length).ToArray();
    }

    /// <summary>Every architecture of the space, in mixed-radix order of the edges.</summary>
    public IEnumerable<Architecture> Enumerate()
    {
        var digits = new int[EdgeCount];
        for (long n = 0; n < Size; n++)
        {
            yield return FromChoices(digits.Select(d => Operations[d]).ToArray());
            for (int e = EdgeCount - 1; e >= 0 && ++digits[e] == Operations.Count; e--)
                digits[e] = 0;
        }
    }
}
