using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// What <see cref="IPathEncoding"/> promises, checked for every space that offers it (the NB201 cell with its five
/// operations, and narrowed), and the NB201 encoding checked by hand against BANANAS' reference code.
/// </summary>
public sealed class PathEncodingTests
{
    private const string Example =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    public static TheoryData<string> Spaces() => ["nb201", "nb201-3ops", "nb201-2ops"];

    private static Nb201Space Space(string name) =>
        name switch
        {
            "nb201" => new Nb201Space(),
            "nb201-3ops" => new Nb201Space(["none", "skip_connect", "nor_conv_3x3"], name),
            "nb201-2ops" => new Nb201Space(["nor_conv_1x1", "avg_pool_3x3"], name),
            _ => throw new ArgumentException(name),
        };

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Every_truncation_has_its_feature_count_of_binary_values_and_distinct_paths_give_distinct_encodings(
        string name
    )
    {
        var space = Space(name);
        IPathEncoding paths = space;
        paths.LongestPath.Should().Be(3);
        int n = space.Operations.Count;
        var random = new Random(5);
        var cells = Enumerable.Range(0, 300).Select(_ => space.Sample(random)).Distinct().ToList();
        for (int length = 1; length <= paths.LongestPath; length++)
        {
            int expectedCount = Enumerable.Range(1, length).Sum(l => (int)Math.Pow(n, l));
            paths
                .PathFeatureCount(length)
                .Should()
                .Be(expectedCount, "one feature per sequence of 1 to {0} operations", length);
            var byPaths = new Dictionary<string, string>();
            foreach (var cell in cells)
            {
                var vector = paths.EncodePaths(cell, length);
                vector.Should().HaveCount(expectedCount).And.OnlyContain(v => v == 0f || v == 1f);
                // NB201 has 1 path of one operation, 2 of two, 1 of three: each is encoded, `none` or not, and two
                // paths with the same operations (3←1←0 and 3←2←0 both conv3, conv3) are one feature.
                var cellPaths = Nb201Space
                    .Paths.Where(p => p.Length <= length)
                    .Select(p => string.Join(",", p.Select(e => cell.Choices[e])))
                    .ToHashSet();
                vector.Sum().Should().Be(cellPaths.Count);
                string pathKey = string.Join(";", cellPaths.Order(StringComparer.Ordinal));
                string encoding = string.Concat(vector.Select(v => v == 1f ? '1' : '0'));
                if (byPaths.TryGetValue(pathKey, out var seen))
                    encoding.Should().Be(seen, "the same paths give the same encoding");
                else
                    byPaths[pathKey] = encoding;
            }
            byPaths.Values.Should().OnlyHaveUniqueItems("different paths give different encodings");
        }
        var outOfRange = () => paths.EncodePaths(cells[0], paths.LongestPath + 1);
        outOfRange.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void The_full_encoding_tells_every_cell_apart_and_the_reference_truncation_ignores_edge_2_from_1()
    {
        var space = new Nb201Space();
        space
            .Enumerate()
            .Select(c => string.Concat(space.EncodePaths(c, 3).Select(v => v == 1f ? '1' : '0')))
            .Distinct()
            .Should()
            .HaveCount(15625, "each edge lies on a path, so the four paths give back all six operations");
        // Edge 2←1 lies only on the path of three operations, which paths of at most two leave out (as the reference's
        // cutoff of 30 does): cells that differ only there look the same.
        var cell = space.Parse(Example);
        var other = space.FromChoices(cell.Choices.Select((op, e) => e == 2 ? "none" : op).ToArray());
        space.EncodePaths(other, 2).Should().Equal(space.EncodePaths(cell, 2));
        space.EncodePaths(other, 3).Should().NotEqual(space.EncodePaths(cell, 3));
    }

    [Fact]
    public void A_hand_checked_cell_has_its_four_paths_at_the_reference_indices()
    {
        var space = new Nb201Space();
        // Edges 1←0 conv3, 2←0 conv3, 2←1 avg, 3←0 skip, 3←1 conv3, 3←2 skip; operations numbered none 0, skip 1,
        // conv1x1 2, conv3x3 3, avg 4. A path's feature is (paths shorter than it) + Σ op(j)·5^j, from the input:
        //   3←0 [skip]               → 1
        //   1←0, 3←1 [conv3, conv3]  → 5 + 3 + 3·5 = 23
        //   2←0, 3←2 [conv3, skip]   → 5 + 3 + 1·5 = 13
        //   1←0, 2←1, 3←2 [conv3, avg, skip] → 30 + 3 + 4·5 + 1·25 = 78
        var vector = space.EncodePaths(space.Parse(Example), 3);
        vector.Should().HaveCount(155);
        vector.Select((v, i) => (v, i)).Where(p => p.v == 1f).Select(p => p.i).Should().Equal(1, 13, 23, 78);
        space
            .EncodePaths(space.Parse(Example), 2)
            .Select((v, i) => (v, i))
            .Where(p => p.v == 1f)
            .Select(p => p.i)
            .Should()
            .Equal(1, 13, 23);
        Nb201Space.Paths.Select(p => string.Join(",", p)).Should().Equal("3", "0,4", "1,5", "0,2,5");
    }
}
