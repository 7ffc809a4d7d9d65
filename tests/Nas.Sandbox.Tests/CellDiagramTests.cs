using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

public class CellDiagramTests
{
    private static readonly Nb201Space Space = new();

    /// <summary>The example of the design brief: a `none` on the chain.</summary>
    private static readonly Architecture Example = Space.Parse(
        "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|"
    );

    /// <summary>Long names on all three chain edges and `none` on a chain edge and an arc: narrows step by step.</summary>
    private static readonly Architecture Wide = Space.Parse(
        "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|"
    );

    private static readonly int[] Widths = [1, 5, 6, 12, 20, 30, 38, 39, 40, 45, 50, 60, 76, 80, 200, int.MaxValue];

    /// <summary>Asserts the picture line by line (golden text without the right padding) and that it is padded to one width.</summary>
    private static void ShouldLookLike(IReadOnlyList<string> picture, string golden)
    {
        string[] expected = golden.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        picture.Select(l => l.TrimEnd()).Should().Equal(expected);
        picture
            .Select(l => l.Length)
            .Distinct()
            .Should()
            .ContainSingle()
            .Which.Should()
            .Be(expected.Max(l => l.Length));
    }

    [Fact]
    public void The_example_cell_at_full_width()
    {
        ShouldLookLike(
            Nb201CellDiagram.Draw(Example),
            """
            ┌────────────────────── avg_pool_3x3 ──────────────────────┐
            │ ┌────────── skip_connect ──────────┐                     │
            │ │                                  ▼                     ▼
            (0)── nor_conv_3x3 ──►(1)╌╌ none ╌╌▻(2)── skip_connect ──►(3)
                                   │                                   ▲
                                   └────────── nor_conv_1x1 ───────────┘
            """
        );
        Nb201CellDiagram.NaturalWidth(Example.Choices).Should().Be(61);
    }

    [Fact]
    public void A_wide_cell_at_full_width_fits_an_80_column_terminal_with_full_names()
    {
        var picture = Nb201CellDiagram.Draw(Wide, 76);
        ShouldLookLike(
            picture,
            """
            ┌────────────────────── skip_connect ──────────────────────┐
            │ ┌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌ none ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌┐             │
            │ ╎                                          ▽             ▼
            (0)── nor_conv_3x3 ──►(1)── avg_pool_3x3 ──►(2)╌╌ none ╌╌▻(3)
                                   │                                   ▲
                                   └────────── nor_conv_1x1 ───────────┘
            """
        );
        picture.Should().Equal(Nb201CellDiagram.Draw(Wide));
    }

    [Fact]
    public void At_60_columns_the_padding_shrinks_and_the_names_stay()
    {
        ShouldLookLike(
            Nb201CellDiagram.Draw(Wide, 60),
            """
            ┌─────────────────── skip_connect ───────────────────┐
            │ ┌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌ none ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌┐           │
            │ ╎                                      ▽           ▼
            (0)─ nor_conv_3x3 ─►(1)─ avg_pool_3x3 ─►(2)╌ none ╌▻(3)
                                 │                               ▲
                                 └──────── nor_conv_1x1 ─────────┘
            """
        );
    }

    [Fact]
    public void At_50_columns_the_known_operations_are_abbreviated()
    {
        ShouldLookLike(
            Nb201CellDiagram.Draw(Wide, 50),
            """
            ┌────────────────── skip ──────────────────┐
            │ ┌╌╌╌╌╌╌╌╌╌╌╌ none ╌╌╌╌╌╌╌╌╌╌╌┐           │
            │ ╎                            ▽           ▼
            (0)─ conv3x3 ─►(1)─ avgpool ─►(2)╌ none ╌▻(3)
                            │                          ▲
                            └──────── conv1x1 ─────────┘
            """
        );
    }

    [Fact]
    public void At_40_columns_the_known_operations_get_compact_codes()
    {
        ShouldLookLike(
            Nb201CellDiagram.Draw(Wide, 40),
            """
            ┌────────────── skip ───────────────┐
            │ ┌╌╌╌╌╌╌╌ none ╌╌╌╌╌╌╌╌┐           │
            │ ╎                     ▽           ▼
            (0)─ c3x3 ─►(1)─ avg ─►(2)╌ none ╌▻(3)
                         │                      ▲
                         └──────── c1x1 ────────┘
            """
        );
    }

    [Fact]
    public void Narrower_than_any_graph_the_cell_is_listed_edge_by_edge()
    {
        ShouldLookLike(
            Nb201CellDiagram.Draw(Example, 30),
            """
            0─►1 nor_conv_3x3
            0─►2 skip_connect
            1╌▻2 none
            0─►3 avg_pool_3x3
            1─►3 nor_conv_1x1
            2─►3 skip_connect
            """
        );
        ShouldLookLike(
            Nb201CellDiagram.Draw(Example, 12),
            """
            0─►1 conv3x3
            0─►2 skip
            1╌▻2 none
            0─►3 avgpool
            1─►3 conv1x1
            2─►3 skip
            """
        );
    }

    [Fact]
    public void Every_operation_is_drawn_on_its_own_edge()
    {
        string[] ops = ["nor_conv_3x3", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "dil_conv_3x3", "sep_conv_3x3"];
        var picture = Nb201CellDiagram.Draw(ops);
        string chain = picture[3];
        int Node(int k) => chain.IndexOf($"({k})", StringComparison.Ordinal);
        Enumerable.Range(0, 4).Select(Node).Should().BeInAscendingOrder().And.NotContain(-1);

        chain[(Node(0) + 3)..Node(1)].Should().Contain(" nor_conv_3x3 "); // 1←0
        picture[1].Should().Contain(" skip_connect "); // 2←0, the inner arc above
        chain[(Node(1) + 3)..Node(2)].Should().Contain(" avg_pool_3x3 "); // 2←1
        picture[0].Should().Contain(" nor_conv_1x1 "); // 3←0, the outer arc above
        picture[5].Should().Contain(" dil_conv_3x3 "); // 3←1, the arc below
        chain[(Node(2) + 3)..Node(3)].Should().Contain(" sep_conv_3x3 "); // 3←2

        // Arrowheads point into the targets: above node 2 and node 3, below node 3, before nodes 1, 2 and 3.
        picture[2][Node(2) + 1].Should().Be('▼');
        picture[2][Node(3) + 1].Should().Be('▼');
        picture[4][Node(3) + 1].Should().Be('▲');
        foreach (int k in new[] { 1, 2, 3 })
            chain[Node(k) - 1].Should().Be('►');
        // The arcs leave node 0 above it and node 1 below it.
        picture[2][Node(0)].Should().Be('│');
        picture[2][Node(0) + 2].Should().Be('│');
        picture[4][Node(1) + 1].Should().Be('│');
    }

    [Fact]
    public void Every_cell_of_the_space_is_drawn_as_a_graph_at_an_even_width_within_the_limit()
    {
        var problems = new List<string>();
        foreach (var architecture in Space.Enumerate())
        foreach (int maxWidth in new[] { 40, 60, 76, int.MaxValue })
        {
            var picture = Nb201CellDiagram.Draw(architecture, maxWidth);
            int width = picture[0].Length;
            if (
                picture.Count != Nb201CellDiagram.Height
                || picture.Any(line => line.Length != width)
                || width > maxWidth
            )
                problems.Add($"{architecture.Key} at {maxWidth}: uneven or too wide");
            if (!picture[3].StartsWith("(0)", StringComparison.Ordinal))
                problems.Add($"{architecture.Key} at {maxWidth}: not a graph");
            // Up to 76 columns every cell of the default space keeps its full names.
            if (
                maxWidth >= 76
                && (
                    picture.Any(line => line.Contains('…'))
                    || architecture.Choices.Any(op =>
                        !picture.Any(line => line.Contains($" {op} ", StringComparison.Ordinal))
                    )
                )
            )
                problems.Add($"{architecture.Key} at {maxWidth}: a name is shortened");
        }
        problems.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(WidthCases))]
    public void Lines_are_padded_to_one_width_within_the_limit(int maxWidth)
    {
        string[][] cells =
        [
            [.. Example.Choices],
            [.. Wide.Choices],
            ["none", "none", "none", "none", "none", "none"],
            [
                "my_really_long_custom_operation",
                "sep_conv_7x7",
                "none",
                "an_extraordinarily_long_arc_operation_name",
                "x",
                "sep_conv_9x9",
            ],
        ];
        foreach (var ops in cells)
        {
            var picture = Nb201CellDiagram.Draw(ops, maxWidth);
            picture.Should().HaveCount(Nb201CellDiagram.Height);
            picture
                .Select(l => l.Length)
                .Distinct()
                .Should()
                .ContainSingle()
                .Which.Should()
                .BeLessThanOrEqualTo(maxWidth)
                .And.BePositive();
        }
    }

    public static TheoryData<int> WidthCases()
    {
        var data = new TheoryData<int>();
        foreach (int w in Widths)
            data.Add(w);
        return data;
    }

    [Fact]
    public void Abbreviations_are_used_only_when_the_full_names_do_not_fit()
    {
        int natural = Nb201CellDiagram.NaturalWidth(Wide.Choices);
        natural.Should().Be(61).And.BeLessThanOrEqualTo(76);
        Nb201CellDiagram.Draw(Wide, natural).Should().Equal(Nb201CellDiagram.Draw(Wide));

        // One column less: the padding goes, the names stay.
        var tight = Nb201CellDiagram.Draw(Wide, natural - 1);
        string.Join("\n", tight)
            .Should()
            .Contain("nor_conv_3x3")
            .And.Contain("avg_pool_3x3")
            .And.Contain("nor_conv_1x1")
            .And.Contain("skip_connect");

        // The narrowest picture with full names, then one column less: the names are abbreviated.
        int fullTight = tight[0].Length;
        var abbreviated = string.Join("\n", Nb201CellDiagram.Draw(Wide, fullTight - 1));
        abbreviated
            .Should()
            .Contain("conv3x3")
            .And.Contain("avgpool")
            .And.Contain("conv1x1")
            .And.Contain(" skip ")
            .And.NotContain("nor_conv")
            .And.NotContain("…");
    }

    [Fact]
    public void Unknown_long_names_are_shortened_before_known_names_are_abbreviated()
    {
        string[] ops =
        [
            "my_really_long_custom_operation",
            "skip_connect",
            "none",
            "avg_pool_3x3",
            "nor_conv_1x1",
            "sep_conv_7x7",
        ];
        Nb201CellDiagram.NaturalWidth(ops).Should().Be(80);
        string full = string.Join("\n", Nb201CellDiagram.Draw(ops));
        full.Should().Contain("my_really_long_custom_operation").And.NotContain("…");

        string at60 = string.Join("\n", Nb201CellDiagram.Draw(ops, 60));
        at60.Should()
            .Contain("my_reall…peration")
            .And.Contain("skip_connect")
            .And.Contain("avg_pool_3x3")
            .And.Contain("nor_conv_1x1")
            .And.Contain("sep_conv_7x7");

        // At 40 columns the unknown names are cut to the length of the compact codes.
        var at40 = Nb201CellDiagram.Draw(ops, 40);
        at40[3].Should().Contain(" my…n ").And.Contain(" se…7 ");
        at40[1].Should().Contain(" skip ");
        at40[0].Should().Contain(" avg ");
    }

    [Theory]
    [InlineData("sep_conv_7x7", 12, "sep_conv_7x7")]
    [InlineData("sep_conv_7x7", 7, "sep…7x7")]
    [InlineData("sep_conv_7x7", 4, "se…7")]
    [InlineData("abcdef", 2, "a…")]
    [InlineData("abcdef", 1, "…")]
    public void A_name_is_shortened_keeping_its_start_and_its_end(string name, int length, string expected) =>
        Nb201CellDiagram.Shorten(name, length).Should().Be(expected);

    [Fact]
    public void None_edges_are_drawn_dashed_with_hollow_arrowheads_and_still_labelled()
    {
        string[] ops = ["none", "skip_connect", "none", "nor_conv_3x3", "none", "avg_pool_3x3"];
        var picture = Nb201CellDiagram.Draw(ops);
        string chain = picture[3];
        int Node(int k) => chain.IndexOf($"({k})", StringComparison.Ordinal);

        chain[(Node(0) + 3)..Node(1)].Should().Be("╌╌ none ╌╌▻");
        chain[(Node(1) + 3)..Node(2)].Should().Be("╌╌ none ╌╌▻");
        chain[(Node(2) + 3)..Node(3)].Should().Be("── avg_pool_3x3 ──►");
        picture[4][Node(1) + 1].Should().Be('╎');
        picture[4][Node(3) + 1].Should().Be('△');
        picture[5].Should().Contain("╌ none ╌").And.NotContain("─");
        picture[0].Should().Contain("─ nor_conv_3x3 ─").And.NotContain("╌");
        picture[2][Node(2) + 1].Should().Be('▼');

        // Also in the list form.
        Nb201CellDiagram.Draw(ops, 20)[0].Should().Be("0╌▻1 none        ");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(7)]
    public void A_cell_needs_six_operations(int count)
    {
        var ops = Enumerable.Repeat("none", count).ToArray();
        FluentActions
            .Invoking(() => Nb201CellDiagram.Draw(ops))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*6 edges*");
        FluentActions.Invoking(() => Nb201CellDiagram.NaturalWidth(ops)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_width_below_one_column_is_refused()
    {
        FluentActions.Invoking(() => Nb201CellDiagram.Draw(Example, 0)).Should().Throw<ArgumentOutOfRangeException>();
        Nb201CellDiagram.Draw(Example, 1).Should().OnlyContain(l => l.Length == 1);
    }
}
