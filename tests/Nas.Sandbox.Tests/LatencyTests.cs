using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>Latency: measured by forward passes on a tiny real network, by the training estimator when asked, and added to a table.</summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class LatencyTests : IDisposable
{
    private const string Cell =
        "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|";
    private static readonly TrainingSettings Tiny = new()
    {
        Epochs = 1,
        TrainingImages = 200,
        ValidationImages = 100,
        Channels = 8,
        CellsPerStage = 1,
        BatchSize = 50,
    };
    private static readonly LatencySettings Quick = new() { Warmup = 1, Repeats = 3 };
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-latency-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TrainingEstimator Estimator(TrainingSettings settings) =>
        new(TestData.FashionMnistSubset, OperationRegistry.CreateDefault(), settings);

    [Fact]
    public void The_median_of_forward_passes_is_positive_at_batch_1_and_64_and_the_mode_is_restored()
    {
        using var model = Estimator(Tiny).Build(new Nb201Space().Parse(Cell), Tiny, seed: 3);
        model.train();
        double b1 = LatencyMeter.MedianMilliseconds(model, 1, 28, 1, Quick);
        double b64 = LatencyMeter.MedianMilliseconds(model, 1, 28, 64, Quick);
        b1.Should().BePositive().And.Match(v => double.IsFinite(v));
        b64.Should().BePositive().And.Match(v => double.IsFinite(v));
        model.training.Should().BeTrue("measuring switches to eval mode only while it measures");
        LatencyMeter.Median([5, 1, 3]).Should().Be(3);
        LatencyMeter.Median([4, 1, 3, 2]).Should().Be(2.5);
        FluentActions
            .Invoking(() => new LatencySettings { Repeats = 0 }.Validate())
            .Should()
            .Throw<NasException>()
            .WithMessage("--latency-repeats*");
    }

    [Fact]
    public void The_training_estimator_measures_latency_only_when_asked()
    {
        var architecture = new Nb201Space().Parse(Cell);
        var request = new EvaluationRequest { Seed = 1, DataSeed = 2 };
        var without = Estimator(Tiny).Evaluate(architecture, request);
        without.Status.Should().Be(TrialStatus.Ok);
        (without.Metrics.LatencyMs, without.Metrics.LatencyMsBatch64).Should().Be((null, null));
        var with = Estimator(Tiny with { Latency = Quick }).Evaluate(architecture, request);
        with.Status.Should().Be(TrialStatus.Ok, with.Message);
        with.Metrics.LatencyMs.Should().BePositive();
        with.Metrics.LatencyMsBatch64.Should().BePositive();
        with.Metrics.ValidationAccuracy.Should()
            .Be(without.Metrics.ValidationAccuracy, "measuring latency does not change training");
    }

    [Fact]
    public void Add_latency_fills_two_columns_of_a_table_keeps_the_rest_and_resumes()
    {
        // The shipped table's first rows without its latency columns (its last two).
        var shipped = File.ReadAllLines(ShippedTables.DefaultPath)
            .Take(4)
            .Select(line => string.Join(',', line.Split(',')[..^2]))
            .ToArray();
        string path = Path.Combine(_folder, "tiny.csv");
        File.WriteAllLines(path, shipped);
        var operations = OperationRegistry.CreateDefault().Names.ToArray();
        var before = TabularTable.Load(path, TableColumns.For(path, null, null), operations);
        var latencyObjective = RaceObjective.Parse("pareto:accuracy,latency64");
        FluentActions
            .Invoking(() => TableObjective.Require(latencyObjective, before))
            .Should()
            .Throw<NasException>()
            .Where(e =>
                e.Message.Contains(path)
                && e.Message.Contains("'latency_ms_b64'")
                && e.Message.Contains("nas tabulate --add-latency")
            );

        var estimator = Estimator(Tiny);
        var space = new Nb201Space();
        int measured = TableLatency.Add(path, space.Parse, a => estimator.MeasureLatency(a, Tiny, Quick));
        measured.Should().Be(3);
        var header = CsvFormat.ParseLine(File.ReadAllLines(path)[0]);
        header.Should().Equal([.. CsvFormat.ParseLine(shipped[0]), "latency_ms_b1", "latency_ms_b64"]);
        var after = TabularTable.Load(path, TableColumns.For(path, null, null), operations);
        after.Rows.Should().HaveCount(3).And.OnlyContain(r => r.LatencyMs > 0 && r.LatencyMsBatch64 > 0);
        after
            .Rows.Select(r => (r.Architecture.Key, r.Validation, r.Parameters))
            .Should()
            .BeEquivalentTo(before.Rows.Select(r => (r.Architecture.Key, r.Validation, r.Parameters)));
        TableObjective.Require(latencyObjective, after);
        TableObjective
            .WorstCosts(latencyObjective, after)["latency64"]
            .Should()
            .Be(after.Rows.Max(r => r.LatencyMsBatch64!.Value));
        var metrics = new TabularEstimator(after)
            .Evaluate(after.Rows.First().Architecture, new EvaluationRequest { Seed = 0, DataSeed = 0 })
            .Metrics;
        metrics.LatencyMs.Should().Be(after.Rows.First().LatencyMs);

        TableLatency
            .Add(path, space.Parse, _ => throw new InvalidOperationException("nothing is left to measure"))
            .Should()
            .Be(0);
    }

    [Fact]
    public void Tabulate_with_latency_writes_the_latency_columns()
    {
        var estimator = Estimator(Tiny);
        string path = Path.Combine(_folder, "new.csv");
        Tabulator.Prepare(path, seeds: 1, latency: true);
        var tabulator = new Tabulator(estimator, 1, testImages: 0, masterSeed: 0, classes: 10, Quick);
        Tabulator.Append(path, tabulator.Measure(new Nb201Space().Parse(Cell)));
        var table = TabularTable.Load(
            path,
            TableColumns.For(path, null, null),
            OperationRegistry.CreateDefault().Names.ToArray()
        );
        table.PresentKeys.Should().Contain(["latency1", "latency64"]);
        table.Rows.Single().LatencyMsBatch64.Should().BePositive();
        FluentActions
            .Invoking(() => Tabulator.Prepare(path, seeds: 1, latency: false))
            .Should()
            .Throw<NasException>()
            .WithMessage("*--latency*");
    }
}
