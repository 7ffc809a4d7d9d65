using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Training;
using Nas.Sandbox.Core.Spaces;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The race's training kit: it serves the training estimator's own split, and the referee charges the wall time of
/// the calls that touch it (and only those), so a seconds budget stops a strategy that trains.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class TrainingKitTests
{
    /// <summary>Non-affine, without running statistics (NB201's search cells).</summary>
    private static bool SearchMode(BatchNorm bn) =>
        bn.weight is null && bn.bias is null && bn.running_mean is null && bn.running_var is null;

    /// <summary>Affine, with running statistics (PyTorch's defaults).</summary>
    private static bool Standard(BatchNorm bn) =>
        bn.weight is not null && bn.bias is not null && bn.running_mean is not null && bn.running_var is not null;

    private static readonly TrainingSettings Tiny = new()
    {
        TrainingImages = 200,
        ValidationImages = 100,
        Channels = 8,
        BatchSize = 50,
    };

    [Fact]
    public void The_kit_serves_the_images_the_training_estimator_trains_and_validates_on()
    {
        var estimator = new TrainingEstimator(TestData.FashionMnistSubset, OperationRegistry.CreateDefault(), Tiny);
        using var data = RaceTrainingData.For(estimator);
        var kit = data.KitFor(dataSeed: 42, new Fidelity { TrainingImages = 150 }, seed: 7);

        // The estimator's split, computed independently: a seeded shuffle, 1/6 held out, the first N of each part.
        var train = TestData.FashionMnistSubset.Train;
        var split = DataSplit.Create(train.Count, (int)Math.Round(train.Count / 6.0), 42);
        var (images, labels) = TensorLoader.Load(train, split.SearchTrain.AsSpan(0, 150), CPU);
        var (validationImages, validationLabels) = TensorLoader.Load(train, split.SearchValidation.AsSpan(0, 100), CPU);
        using var _ = NewDisposeScope();

        kit.TrainingImages.shape.Should().Equal(150, 1, 28, 28);
        kit.TrainingLabels.dtype.Should().Be(ScalarType.Int64);
        kit.TrainingImages.allclose(images, 0, 0)
            .Should()
            .BeTrue("the race's fidelity (150 images) over the estimator's split");
        kit.TrainingLabels.allclose(labels, 0, 0).Should().BeTrue();
        kit.ValidationImages.allclose(validationImages, 0, 0).Should().BeTrue();
        kit.ValidationLabels.allclose(validationLabels, 0, 0).Should().BeTrue();
        kit.Classes.Should().Be(10);
        (kit.Channels, kit.CellsPerStage, kit.BatchSize, kit.Seed).Should().Be((8, 1, 50, 7L));
        var labelsOfThisHeat = kit.TrainingLabels.clone();
        // The next heat replaces this heat's tensors (one heat at a time).
        data.KitFor(dataSeed: 43, new Fidelity { TrainingImages = 150 }, seed: 7)
            .TrainingLabels.allclose(labelsOfThisHeat, 0, 0)
            .Should()
            .BeFalse("another heat, another split");
    }

    [Fact]
    public void The_data_is_loaded_only_when_touched_and_the_skeleton_is_seeded_by_the_kit()
    {
        int loads = 0;
        using var data = new RaceTrainingData(
            () =>
            {
                loads++;
                return TestData.FashionMnistSubset;
            },
            OperationRegistry.CreateDefault(),
            Tiny
        );
        var kit = data.KitFor(1, new Fidelity(), seed: 5);
        loads.Should().Be(0);
        using var first = kit.BuildNetwork(c => kit.BuildOperation("nor_conv_3x3", c, c, 1));
        using var second = data.KitFor(1, new Fidelity(), seed: 5)
            .BuildNetwork(c => kit.BuildOperation("nor_conv_3x3", c, c, 1));
        loads.Should().Be(1);
        kit.Touches.Should().BeGreaterThan(0);
        first
            .parameters()
            .Zip(second.parameters())
            .Should()
            .OnlyContain(p => p.First.allclose(p.Second, 0, 0), "same seed, same weights");
    }

    /// <summary>Touches the kit (or not) and works ~60 ms per Ask; the evaluation itself costs nothing.</summary>
    private static TestStrategyFactory Worker(string name, bool touches) => new(name, () => new DelegateStrategy(
                context =>
                {
                    if (touches)
                        _ = context.Training!.TrainingImages.shape;
                    var clock = Stopwatch.StartNew();
                    while (clock.ElapsedMilliseconds < 60)
                        Thread.SpinWait(1000);
                    return context.Space.Sample(context.Random);
                }
            ));

    private sealed class FreeEstimator : IEstimator
    {
        public string Name => "free";

        public Task<EvaluationResult> EvaluateAsync(
            Architecture architecture,
            EvaluationRequest request,
            CancellationToken cancellation
        ) =>
            Task.FromResult(
                new EvaluationResult
                {
                    Status = TrialStatus.Ok,
                    Metrics = new Metrics { ValidationAccuracy = 0.5 },
                    CostSeconds = 0,
                    Fidelity = request.Fidelity,
                }
            );
    }

    private static async Task<(RaceSummary Summary, ListJournal Journal)> Race(
        RaceTrainingData data,
        RaceSettings settings
    )
    {
        var journal = new ListJournal();
        var strategies = new Nas.Sandbox.Core.Hosting.StrategyCatalog([
            Worker("trainer", touches: true).Entry(),
            Worker("sampler", touches: false).Entry(),
        ]);
        var summary = await new Referee(new Nb201Space(), new FreeEstimator(), strategies, journal, data).RunAsync(
            settings
        );
        return (summary, journal);
    }

    [Fact]
    public async Task A_strategy_that_touches_the_kit_pays_for_its_calls_one_that_does_not_pays_nothing_and_seconds_stop_it()
    {
        using var data = new RaceTrainingData(
            () => TestData.FashionMnistSubset,
            OperationRegistry.CreateDefault(),
            Tiny
        );
        var (summary, journal) = await Race(
            data,
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("trainer"), ContestantSpec.Parse("sampler")],
                Budget = 30,
                BudgetSeconds = 0.5,
                Estimator = "free",
            }
        );

        var charges = journal.Events.OfType<SearchCharged>().ToArray();
        charges
            .Should()
            .NotBeEmpty()
            .And.OnlyContain(c => c.Contestant == "trainer" && c.Phase == "ask" && c.Seconds >= 0.055);
        var trainer = summary.Contestants.Single(c => c.Label == "trainer");
        var sampler = summary.Contestants.Single(c => c.Label == "sampler");
        trainer.Evaluations.Should().BeInRange(1, 9, "about 60 ms charged per ask against 0.5 s");
        trainer
            .SearchSeconds.Should()
            .BeApproximately(charges.Sum(c => c.Seconds), 1e-9)
            .And.BeGreaterThanOrEqualTo(0.5);
        trainer.Seconds.Should().BeApproximately(trainer.SearchSeconds, 1e-9, "its evaluations were free");
        (sampler.Evaluations, sampler.Seconds, sampler.SearchSeconds)
            .Should()
            .Be((30, 0.0, 0.0), "it never touched the kit");
        // The charge comes before the trial of its Ask, and is journaled.
        var first = journal.Events.FindIndex(e => e is SearchCharged);
        journal.Events[first + 1].Should().BeOfType<TrialFinished>().Which.Contestant.Should().Be("trainer");
        var line = JournalFormat.ToJson(charges[0]);
        ((string)line["type"]!, (string)line["phase"]!, (int)line["index"]!).Should().Be(("search-time", "ask", 0));
        var standing = journal.Events.OfType<HeatFinished>().Single().Standings.Single(s => s.Contestant == "trainer");
        standing.SearchSeconds.Should().Be(trainer.SearchSeconds);
    }

    [Fact]
    public async Task Under_an_evaluation_budget_the_charge_is_still_recorded()
    {
        using var data = new RaceTrainingData(
            () => TestData.FashionMnistSubset,
            OperationRegistry.CreateDefault(),
            Tiny
        );
        var (summary, journal) = await Race(
            data,
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("trainer")],
                Budget = 3,
                Estimator = "free",
            }
        );
        summary.Contestants.Single().Evaluations.Should().Be(3);
        journal.Events.OfType<SearchCharged>().Should().HaveCount(3);
        summary.Contestants.Single().SearchSeconds.Should().BeGreaterThan(0.15);
    }

    [Fact]
    public async Task A_missing_dataset_fails_the_asks_of_the_contestant_that_touches_the_kit_only()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-fashion-mnist-{Guid.NewGuid():N}");
        using var data = new RaceTrainingData(
            () => FashionMnist.Load(missing),
            OperationRegistry.CreateDefault(),
            Tiny
        );
        var (summary, journal) = await Race(
            data,
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("trainer"), ContestantSpec.Parse("sampler")],
                Budget = 2,
                Estimator = "free",
            }
        );
        journal
            .Events.OfType<ContestantFailed>()
            .Should()
            .HaveCount(2)
            .And.OnlyContain(f =>
                f.Contestant == "trainer"
                && f.Phase == "ask"
                && f.Message.Contains("Fashion-MNIST not found")
                && f.Message.Contains(missing)
            );
        summary.Contestants.Single(c => c.Label == "sampler").Evaluations.Should().Be(2);
        summary.Contestants.Single(c => c.Label == "sampler").Failures.Should().Be(0);
    }

    [Fact]
    public async Task An_ask_abandoned_at_the_call_timeout_finds_its_kit_revoked_and_the_race_waits_for_it_to_return()
    {
        // Issue 23: an abandoned supernet Ask went on training inside libtorch while the race ended and the process
        // exited. Its kit is revoked at the timeout, so it stops at its next touch, and the race waits for it.
        Exception? stoppedBy = null;
        long returnedAt = 0;
        var factory = new TestStrategyFactory("trains-forever", () => new DelegateStrategy(context =>
            {
                try
                {
                    while (true)
                    {
                        _ = context.Training!.BatchSize;
                        Thread.Sleep(20);
                    } // a round per touch, forever
                }
                catch (Exception e)
                {
                    stoppedBy = e;
                    throw;
                }
                finally
                {
                    Interlocked.Exchange(ref returnedAt, Stopwatch.GetTimestamp());
                }
            }));
        using var data = new RaceTrainingData(
            () => TestData.FashionMnistSubset,
            OperationRegistry.CreateDefault(),
            Tiny
        );
        var journal = new ListJournal();
        var referee = new Referee(
            new Nb201Space(),
            new FreeEstimator(),
            new Nas.Sandbox.Core.Hosting.StrategyCatalog([factory.Entry()]),
            journal,
            data
        );
        await referee
            .RunAsync(
                new RaceSettings
                {
                    Contestants = [ContestantSpec.Parse("trains-forever")],
                    Budget = 1,
                    Estimator = "free",
                    CallTimeout = TimeSpan.FromMilliseconds(300),
                }
            )
            .WaitAsync(TimeSpan.FromSeconds(30));
        long finishedAt = Stopwatch.GetTimestamp();

        journal
            .Events.OfType<ContestantFailed>()
            .Should()
            .ContainSingle()
            .Which.Message.Should()
            .StartWith("did not return within 0.3 s");
        Interlocked
            .Read(ref returnedAt)
            .Should()
            .BePositive("the race ended after the abandoned call returned")
            .And.BeLessThanOrEqualTo(finishedAt);
        stoppedBy.Should().BeOfType<OperationCanceledException>().Which.Message.Should().Contain("revoked");
    }

    /// <summary>An operation from a plugin: IOperation.Build takes no batch-norm options.</summary>
    private sealed class PluginConv : IOperation
    {
        public string Name => "plugin_conv";

        public nn.Module<Tensor, Tensor> Build(int channelsIn, int channelsOut, int stride) =>
            new ReluConvBn(channelsIn, channelsOut, 3, stride, 1);
    }

    private static BatchNorm[] BatchNorms(nn.Module module) => module.modules().OfType<BatchNorm>().ToArray();

    [Fact]
    public void Search_mode_operations_have_non_affine_batch_norms_without_running_statistics_a_plugin_s_are_used_as_they_are_said_once()
    {
        var registry = OperationRegistry.CreateDefault();
        registry.Register(new PluginConv(), "plugin test.dll");
        using var data = new RaceTrainingData(() => TestData.FashionMnistSubset, registry, Tiny);
        var notices = new List<string>();
        data.Notice += notices.Add;
        var kit = data.KitFor(1, new Fidelity(), seed: 5);

        // Every built-in with a batch norm: the convolutions, skip_connect's FactorizedReduce, avg_pool's 1×1 projection.
        foreach (
            var (name, channelsOut, stride) in new[]
            {
                ("nor_conv_3x3", 8, 1),
                ("nor_conv_1x1", 8, 1),
                ("skip_connect", 16, 2),
                ("avg_pool_3x3", 16, 1),
            }
        )
        {
            using var search = kit.BuildOperation(
                name,
                8,
                channelsOut,
                stride,
                affine: false,
                trackRunningStats: false
            );
            BatchNorms(search).Should().ContainSingle(name).Which.Should().Match<BatchNorm>(bn => SearchMode(bn), name);
            using var standard = kit.BuildOperation(name, 8, channelsOut, stride);
            BatchNorms(standard).Should().ContainSingle(name).Which.Should().Match<BatchNorm>(bn => Standard(bn), name);
        }
        using var nonAffineOnly = kit.BuildOperation("nor_conv_3x3", 8, 8, 1, affine: false, trackRunningStats: true);
        var nonAffine = BatchNorms(nonAffineOnly).Single();
        (nonAffine.weight is null, nonAffine.running_mean is null)
            .Should()
            .Be((true, false), "non-affine, with running statistics, as asked");
        notices.Should().BeEmpty("the built-in operations honour the options");

        using var plugin = kit.BuildOperation("plugin_conv", 8, 8, 1, affine: false, trackRunningStats: false);
        using var again = kit.BuildOperation("plugin_conv", 8, 8, 1, affine: false, trackRunningStats: false);
        BatchNorms(plugin).Single().weight.Should().NotBeNull("a plugin operation is used as it builds itself");
        notices
            .Should()
            .ContainSingle()
            .Which.Should()
            .Be(
                "operation 'plugin_conv' (plugin test.dll) takes no batch-norm options (IOperation.Build has none): it is used as it builds itself, "
                    + "not with affine=false, track_running_stats=false as the supernet asked"
            );
    }

    [Fact]
    public void The_training_estimator_s_stand_alone_networks_keep_affine_batch_norms_with_running_statistics()
    {
        using var network = new Nas.Sandbox.Core.Evaluation.Model.Nb201Network(
            new Nb201Space().FromChoices([
                "nor_conv_3x3",
                "nor_conv_1x1",
                "skip_connect",
                "avg_pool_3x3",
                "nor_conv_3x3",
                "none",
            ]),
            new Nas.Sandbox.Core.Evaluation.Model.NetworkSettings(8, 1, 1, 28, 10),
            OperationRegistry.CreateDefault()
        );
        BatchNorms(network).Should().HaveCountGreaterThan(5).And.OnlyContain(bn => Standard(bn));
    }
}
