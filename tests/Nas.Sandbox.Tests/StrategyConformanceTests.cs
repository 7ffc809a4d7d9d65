using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Racing.Training;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// What every strategy promises, checked for every strategy the catalogs find (built-in packs and the example
/// scripts): a strategy added later gets these tests without writing any. Races use a lookup-speed estimator and
/// offer a tiny real training kit (256 Fashion-MNIST images, C=8, 1 cell per stage, batch 8), so strategies that train
/// a supernet (DARTS, GDAS) are checked too. In the torch collection: those strategies run libtorch.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class StrategyConformanceTests
{
    private static readonly Lazy<SandboxHost> Host = new(() =>
        SandboxHost.Create(typeof(StrategyConformanceTests).Assembly)
    );
    private static readonly Nb201Space Space = new();
    private static readonly Lazy<RaceTrainingData> Training = new(() =>
        new RaceTrainingData(
            () => TestData.FashionMnistSubset,
            Host.Value.Operations,
            new TrainingSettings
            {
                TrainingImages = 256,
                ValidationImages = 128,
                Channels = 8,
                CellsPerStage = 1,
                BatchSize = 8,
            }
        )
    );

    /// <summary>
    /// Strategies that train between asks declare how many steps an Ask trains (<c>steps-per-ask</c>): the suite runs
    /// them with one step per ask to stay fast; the code paths checked (training, catch-up after a replay) are the same.
    /// </summary>
    private static Dictionary<string, string> FastKnobs(string strategy) =>
        Host.Value.Strategies.Get(strategy).Factory.Knobs.Any(k => k.Name == "steps-per-ask")
            ? new() { ["steps-per-ask"] = "1" }
            : [];

    public static TheoryData<string> Strategies()
    {
        var names = Host.Value.Strategies.All.Select(e => e.Name).Order(StringComparer.Ordinal).ToArray();
        var data = new TheoryData<string>();
        foreach (string name in names)
            data.Add(name);
        return data;
    }

    [Fact]
    public void The_catalogs_find_the_built_in_and_example_strategies()
    {
        Host.Value.Strategies.All.Select(e => e.Name)
            .Should()
            .Contain([
                "random-search",
                "regularized-evolution",
                "reinforce",
                "local-search",
                "bananas",
                "darts",
                "gdas",
                "nsga-ii",
                "greedy-local-search",
                "edge-bandit",
                "crossover-evolution",
            ]);
    }

    /// <summary>Scores by the share of 3x3 convolutions; every 5th evaluation fails and every 7th diverges.</summary>
    private sealed class TroubledEstimator : IEstimator
    {
        private int _calls;
        public string Name => "troubled";

        public Task<EvaluationResult> EvaluateAsync(
            Architecture architecture,
            EvaluationRequest request,
            CancellationToken cancellation
        )
        {
            int call = Interlocked.Increment(ref _calls);
            var status =
                call % 5 == 0 ? TrialStatus.Failed
                : call % 7 == 0 ? TrialStatus.Diverged
                : TrialStatus.Ok;
            double accuracy =
                0.1
                + 0.8 * architecture.Choices.Count(c => c == "nor_conv_3x3") / 6.0
                + (architecture.Key.Length % 13) / 1000.0;
            return Task.FromResult(
                new EvaluationResult
                {
                    Status = status,
                    Metrics = status == TrialStatus.Ok ? new Metrics { ValidationAccuracy = accuracy } : new Metrics(),
                    CostSeconds = 1,
                    Fidelity = request.Fidelity,
                    Message = status == TrialStatus.Ok ? null : "injected by the test",
                }
            );
        }
    }

    private static async Task<(RaceSummary Summary, ListJournal Journal)> Race(
        string strategy,
        long seed,
        int budget = 30
    )
    {
        var journal = new ListJournal();
        var referee = new Referee(Space, new TroubledEstimator(), Host.Value.Strategies, journal, Training.Value);
        var summary = await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [new ContestantSpec(strategy, FastKnobs(strategy))],
                Budget = budget,
                Heats = 2,
                Seed = seed,
                Estimator = "troubled",
            }
        );
        return (summary, journal);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task Asks_stay_in_the_space_the_budget_is_respected_and_failed_trials_are_survived(string strategy)
    {
        var (summary, journal) = await Race(strategy, seed: 3);
        journal
            .Events.OfType<ContestantFailed>()
            .Should()
            .BeEmpty("a conforming strategy never throws, hangs or leaves the space");
        summary.Contestants.Single().Evaluations.Should().Be(60);
        journal
            .Events.OfType<TrialFinished>()
            .Should()
            .HaveCount(60)
            .And.OnlyContain(t => Space.Contains(t.Trial.Architecture));
        journal
            .Events.OfType<TrialFinished>()
            .Should()
            .Contain(t => t.Trial.Status == TrialStatus.Failed)
            .And.Contain(t => t.Trial.Status == TrialStatus.Diverged);
    }

    /// <summary>The troubled estimator's accuracy, with parameters that grow with the convolutions: a real trade-off.</summary>
    private sealed class SizedTroubledEstimator : IEstimator
    {
        private readonly TroubledEstimator _inner = new();
        public string Name => "sized-troubled";

        public async Task<EvaluationResult> EvaluateAsync(
            Architecture architecture,
            EvaluationRequest request,
            CancellationToken cancellation
        )
        {
            var result = await _inner.EvaluateAsync(architecture, request, cancellation);
            return result with
            {
                Metrics = result.Metrics with
                {
                    Parameters = 10_000 + 50_000 * architecture.Choices.Count(c => c == "nor_conv_3x3"),
                },
            };
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task A_pareto_race_is_raced_without_faults_and_deterministically(string strategy)
    {
        async Task<(RaceSummary, string[])> Run()
        {
            var journal = new ListJournal();
            var summary = await new Referee(
                Space,
                new SizedTroubledEstimator(),
                Host.Value.Strategies,
                journal,
                Training.Value
            ).RunAsync(
                new RaceSettings
                {
                    Contestants = [new ContestantSpec(strategy, FastKnobs(strategy))],
                    Budget = 30,
                    Heats = 2,
                    Seed = 8,
                    Estimator = "sized-troubled",
                    Objective = RaceObjective.Parse("pareto:accuracy,params"),
                }
            );
            journal
                .Events.OfType<ContestantFailed>()
                .Should()
                .BeEmpty("a conforming strategy races a Pareto objective too");
            return (
                summary,
                journal.Events.OfType<TrialFinished>().Select(t => $"{t.Heat}:{t.Trial.Architecture.Key}").ToArray()
            );
        }
        var (summary, first) = await Run();
        var (_, second) = await Run();
        second.Should().Equal(first);
        summary.Contestants.Single().Hypervolume.Should().BePositive();
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task The_same_seed_gives_the_same_sequence(string strategy)
    {
        static string[] Asks(ListJournal j) =>
            j.Events.OfType<TrialFinished>().Select(t => $"{t.Heat}:{t.Trial.Architecture.Key}").ToArray();
        var (_, first) = await Race(strategy, seed: 5);
        var (_, second) = await Race(strategy, seed: 5);
        Asks(second).Should().Equal(Asks(first));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task A_new_instance_rebuilt_by_replay_asks_what_the_old_one_would_have(string strategy)
    {
        var entry = Host.Value.Strategies.Get(strategy);
        var knobs = KnobValues.Create(entry.Name, entry.Factory.Knobs, FastKnobs(strategy));
        var estimator = new TroubledEstimator();
        var original = entry.Factory.Create(knobs);
        var history = new List<Trial>();
        // One kit for the heat, as the referee gives it: the rebuilt instance sees the same data and weight seed.
        var kit = Training.Value.KitFor(11, new Fidelity(), SeedMixer.Derive(11, "weights", strategy));
        SearchContext Context(int index) =>
            new()
            {
                Space = Space,
                Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(11, strategy, index))),
                AskIndex = index,
                EvaluationBudget = 40,
                EvaluationsUsed = index,
                TrainingSetup = kit,
            };
        for (int index = 0; index < 40; index++)
        {
            var architecture = original.Ask(Context(index));
            if (index is 7 or 19 or 33)
            {
                var rebuilt = entry.Factory.Create(knobs);
                foreach (var trial in history)
                    rebuilt.Tell(trial);
                rebuilt
                    .Ask(Context(index))
                    .Should()
                    .Be(architecture, $"after {index} trials, the rebuilt instance must ask what the original asked");
                (rebuilt as IDisposable)?.Dispose();
            }
            var result = await estimator.EvaluateAsync(
                architecture,
                new EvaluationRequest { Seed = index, DataSeed = 1 },
                default
            );
            // Scored as the referee scores it (the default objective, validation accuracy), so strategies see Objective.
            var told = RaceObjective.Accuracy.Score(
                new Trial
                {
                    Index = index,
                    Architecture = architecture,
                    Status = result.Status,
                    Metrics = result.Metrics,
                    CostSeconds = result.CostSeconds,
                    Message = result.Message,
                },
                estimator.Name
            );
            history.Add(told);
            original.Tell(told);
        }
        (original as IDisposable)?.Dispose();
    }
}
