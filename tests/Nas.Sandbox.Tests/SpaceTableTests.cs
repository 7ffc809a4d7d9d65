using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>Tables of any space: the sample <c>nas tabulate</c> draws, and keys read with the space's own parser.</summary>
public sealed class SpaceTableTests : IDisposable
{
    private const string Cell =
        "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|";
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-space-table-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string text)
    {
        string path = Path.Combine(_folder, "t.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_sample_of_a_space_that_cannot_be_enumerated_is_distinct_and_the_same_for_the_same_seed()
    {
        var space = new NatsSizeSpace();
        var first = TabulateSample.Architectures(space, 300, masterSeed: 7);
        first.Should().HaveCount(300);
        first.Select(a => a.Key).Should().OnlyHaveUniqueItems();
        first.Should().OnlyContain(a => space.Contains(a));
        TabulateSample.Architectures(space, 300, 7).Select(a => a.Key).Should().Equal(first.Select(a => a.Key));
        TabulateSample.Architectures(space, 300, 8).Select(a => a.Key).Should().NotEqual(first.Select(a => a.Key));
        // A smaller sample from the same seed is the start of the larger one: --sample can grow a table.
        TabulateSample
            .Architectures(space, 10, 7)
            .Select(a => a.Key)
            .Should()
            .Equal(first.Take(10).Select(a => a.Key));
    }

    /// <summary>
    /// The tables in bench/spaces were tabulated with <c>--sample 100 --seed 0</c>: the same seed still draws their
    /// architectures. A change to a space's Sample, or to the order of its random draws, would draw others, and every
    /// seeded race with them.
    /// </summary>
    [Theory]
    [InlineData(MacroSpace.SpaceName)]
    [InlineData(NatsSizeSpace.SpaceName)]
    public void The_sampled_tables_in_bench_hold_what_the_same_seed_still_draws(string spaceName)
    {
        ISearchSpace space = spaceName == MacroSpace.SpaceName ? new MacroSpace() : new NatsSizeSpace();
        string table = Path.Combine(ScriptTestKit.RepoRoot, "bench", "spaces", $"{spaceName}-100.csv");
        var keys = File.ReadLines(table).Skip(1).Select(line => line[..line.IndexOf(',')]).ToArray();
        keys.Should().NotBeEmpty();
        keys.Should().BeSubsetOf(TabulateSample.Architectures(space, 100, masterSeed: 0).Select(a => a.Key));
    }

    [Fact]
    public void A_space_that_cannot_be_enumerated_needs_a_sample_no_larger_than_the_space()
    {
        var space = new NatsSizeSpace();
        FluentActions
            .Invoking(() => TabulateSample.Architectures(space, null, 0))
            .Should()
            .Throw<NasException>()
            .WithMessage("--space nats-size: the space (32,768 architectures) cannot be enumerated; give --sample N*");
        FluentActions
            .Invoking(() => TabulateSample.Architectures(space, 40000, 0))
            .Should()
            .Throw<NasException>()
            .WithMessage("--sample 40000: space nats-size has only 32,768 architectures.");
    }

    [Fact]
    public void The_cell_space_is_enumerated_and_sampled_as_before()
    {
        var space = new Nb201Space(["none", "nor_conv_3x3"]);
        TabulateSample
            .Architectures(space, null, 0)
            .Select(a => a.Key)
            .Should()
            .Equal(space.Enumerate().Select(a => a.Key));
        var expected = Statistics
            .Shuffled(space.Enumerate().ToList(), new Random(SeedMixer.ToInt32(SeedMixer.Derive(3, "sample"))))
            .Take(5)
            .Select(a => a.Key);
        TabulateSample.Architectures(space, 5, 3).Select(a => a.Key).Should().Equal(expected);
    }

    [Fact]
    public void A_table_of_another_space_is_read_with_its_parser_and_its_choices_in_the_space_order()
    {
        string path = Write("arch,validation_accuracy,test_accuracy\n64:8:16:8:64,0.5,0.4\n8:8:8:8:8,0.3,0.2\n");
        var table = TabularTable.Load(path, TableColumns.For(path, null, null), TableKeys.Of(new NatsSizeSpace()));
        table.Space.Should().Be("nats-size");
        table.Count.Should().Be(2);
        table.Operations.Should().Equal("8", "16", "64");
        var estimator = new TabularEstimator(table);
        var space = new NatsSizeSpace();
        estimator
            .Evaluate(space.Parse("64:8:16:8:64"), new EvaluationRequest { Seed = 1, DataSeed = 1 })
            .Metrics.ValidationAccuracy.Should()
            .Be(0.5);
        var missing = estimator.Evaluate(
            space.Parse("16:16:16:16:16"),
            new EvaluationRequest { Seed = 1, DataSeed = 1 }
        );
        missing.Status.Should().Be(TrialStatus.Failed);
        missing
            .Message.Should()
            .Be(
                $"architecture 16:16:16:16:16 is not in table {path} (2 architectures of space nats-size; a table of a sample scores only those)"
            );
    }

    [Fact]
    public void A_table_read_as_another_space_is_one_error_naming_the_line_the_key_and_the_space()
    {
        string cells = Write($"arch,validation_accuracy\n{Cell},0.5\n");
        FluentActions
            .Invoking(() =>
                TabularTable.Load(cells, TableColumns.For(cells, null, null), TableKeys.Of(new NatsSizeSpace()))
            )
            .Should()
            .Throw<NasException>()
            .WithMessage(
                $"{cells}:2, column 'arch': Malformed architecture '{Cell}'*This key is not an architecture of space 'nats-size': is this a table of another --space?"
            );
        string sizes = Write("arch,validation_accuracy\n8:8:8:8:8,0.5\n16:8:8:8:8,0.5\n");
        FluentActions
            .Invoking(() => TabularTable.Load(sizes, TableColumns.For(sizes, null, null), Nb201Space.DefaultOperations))
            .Should()
            .Throw<NasException>()
            .WithMessage(
                $"{sizes}:2, column 'arch': Malformed architecture '8:8:8:8:8'*space 'nb201': is this a table of another --space?"
            );
    }

    [Fact]
    public void No_table_ships_for_another_space_and_the_error_says_how_to_make_one()
    {
        ShippedTables.DefaultFor(false, "nb201").Should().Be(ShippedTables.DefaultPath);
        ShippedTables.DefaultFor(true, "nb201").Should().Be(ShippedTables.CurvesPath);
        FluentActions
            .Invoking(() => ShippedTables.DefaultFor(false, "nats-size"))
            .Should()
            .Throw<NasException>()
            .WithMessage(
                "No table ships for space 'nats-size'*`nas tabulate --space nats-size --sample 300 --output nats-size.csv`*--table nats-size.csv."
            );
    }
}
