using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

public class Nb201SpaceTests
{
    private readonly Nb201Space _space = new();
    private const string Example =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    [Fact]
    public void Every_one_of_the_15625_architectures_round_trips_through_its_string()
    {
        var keys = new HashSet<string>();
        foreach (var architecture in _space.Enumerate())
        {
            var parsed = _space.Parse(architecture.Key);
            parsed.Should().Be(architecture);
            parsed.Choices.Should().Equal(architecture.Choices);
            keys.Add(architecture.Key).Should().BeTrue();
        }
        keys.Should().HaveCount(15625);
        _space.Size.Should().Be(15625);
    }

    [Fact]
    public void The_published_example_parses_edge_by_edge()
    {
        var architecture = _space.Parse(Example);
        architecture
            .Choices.Should()
            .Equal("nor_conv_3x3", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "nor_conv_3x3", "skip_connect");
        architecture.Key.Should().Be(Example);
    }

    [Theory]
    [InlineData("", 0, "'|'")]
    [InlineData("nor_conv_3x3~0|", 0, "'|'")]
    [InlineData("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", 1, "an operation")]
    [InlineData("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", 6, "input node 0 of node 1")]
    [InlineData("|none~0|+|none~0|none~1|+|none~0|none~1|", 40, "an operation")]
    [InlineData("|none~0||none~0|none~1|+|none~0|none~1|none~2|", 8, "'+'")]
    [InlineData("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|x", 47, "the end of the string")]
    [InlineData("|none0|+|none~0|none~1|+|none~0|none~1|none~2|", 1, "an operation")]
    public void A_malformed_string_is_refused_with_its_position_and_what_was_expected(
        string text,
        int position,
        string expected
    )
    {
        var act = () => _space.Parse(text);
        var error = act.Should().Throw<ArchitectureFormatException>().Which;
        error.Position.Should().Be(position);
        error.Expected.Should().Contain(expected);
        error.Message.Should().Contain($"position {position}");
    }

    [Fact]
    public void Mutation_changes_exactly_one_edge()
    {
        var random = new Random(1);
        for (int i = 0; i < 500; i++)
        {
            var parent = _space.Sample(random);
            var child = _space.Mutate(parent, random);
            parent.Choices.Zip(child.Choices).Count(p => p.First != p.Second).Should().Be(1);
            _space.Contains(child).Should().BeTrue();
        }
    }

    [Fact]
    public void Neighbours_are_every_single_edge_change()
    {
        var center = _space.Parse(Example);
        var neighbours = _space.Neighbours(center);
        neighbours.Should().HaveCount(6 * 4).And.OnlyHaveUniqueItems().And.NotContain(center);
        neighbours.Should().OnlyContain(n => n.Choices.Zip(center.Choices).Count(p => p.First != p.Second) == 1);
    }

    [Fact]
    public void Crossover_takes_each_edge_from_one_of_the_parents()
    {
        var random = new Random(2);
        var (a, b) = (_space.Sample(random), _space.Sample(random));
        for (int i = 0; i < 100; i++)
        {
            var child = _space.Crossover(a, b, random);
            for (int e = 0; e < 6; e++)
                child.Choices[e].Should().BeOneOf(a.Choices[e], b.Choices[e]);
        }
    }

    [Fact]
    public void Sampling_is_uniform_over_operations_on_each_edge()
    {
        var random = new Random(3);
        var counts = new int[6, 5];
        const int samples = 20000;
        for (int i = 0; i < samples; i++)
        {
            var architecture = _space.Sample(random);
            for (int e = 0; e < 6; e++)
                counts[e, _space.Operations.ToList().IndexOf(architecture.Choices[e])]++;
        }
        foreach (int count in counts)
            count.Should().BeInRange(samples / 5 - 400, samples / 5 + 400);
    }

    [Fact]
    public void One_hot_encoding_has_one_set_value_per_edge_at_the_operation_index()
    {
        var vector = _space.Encode(_space.Parse(Example));
        vector.Should().HaveCount(30);
        vector.Sum().Should().Be(6);
        // edge 0 is nor_conv_3x3 (index 3), edge 2 is avg_pool_3x3 (index 4), edge 3 is skip_connect (index 1)
        vector[0 * 5 + 3].Should().Be(1);
        vector[2 * 5 + 4].Should().Be(1);
        vector[3 * 5 + 1].Should().Be(1);
    }

    [Fact]
    public void A_narrowed_space_refuses_operations_it_does_not_have()
    {
        var small = new Nb201Space(["none", "skip_connect", "nor_conv_3x3"], "nb201-3ops");
        small.Size.Should().Be(729);
        small.Contains(_space.Parse(Example)).Should().BeFalse();
        var act = () => small.Parse(Example);
        act.Should()
            .Throw<ArchitectureFormatException>()
            .Which.Expected.Should()
            .Contain("none, skip_connect, nor_conv_3x3");
    }

    /// <summary>A plugin or script that lists an operation twice hears which one, not a dictionary's "same key".</summary>
    [Fact]
    public void An_operation_listed_twice_is_refused_by_name()
    {
        var make = () => new Nb201Space(["none", "nor_conv_3x3", "skip_connect", "nor_conv_3x3"]);
        make.Should()
            .Throw<ArgumentException>()
            .WithMessage("operation names must be distinct: 'nor_conv_3x3' is listed twice*");
        using var host = SandboxHost.Create(typeof(Nb201SpaceTests).Assembly, [], [], lazyScripts: true);
        var fromOptions = () => host.CreateSpace("nb201", ["skip_connect", "nor_conv_3x3", "skip_connect"]);
        fromOptions
            .Should()
            .Throw<NasException>()
            .WithMessage("--operations lists skip_connect 2 times; each operation is one choice, listed once.");
    }
}
