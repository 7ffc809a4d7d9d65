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
                "predictor-local-search",
                "bananas",
                "darts",
                "gdas",
                "nsga-ii",
                "greedy-local-search",
                "edge-bandit",
                "crossover-evolution",
                "successive-halving",
                "hyperband",
                "asha",
                "bohb",
                "dehb",
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
        ) => Task.FromResult(Evaluate(architecture, request));

        /// <summary>What <see cref="EvaluateAsync"/> returns, for a test that evaluates without awaiting.</summary>
        public EvaluationResult Evaluate(Architecture architecture, EvaluationRequest request)
        {
            int call = Interlocked.Increment(ref _calls);
            var status =
                call % 5 == 0 ? TrialStatus.Failed
                : call % 7 == 0 ? TrialStatus.Diverged
                : TrialStatus.Ok;
            // Cells score by their 3×3 convolutions; a space of channel counts (nats-size) by its width (0 for a cell).
            double accuracy =
                0.1
                + 0.8 * architecture.Choices.Count(c => c == "nor_conv_3x3") / 6.0
                + (architecture.Key.Length % 13) / 1000.0
                + architecture.Choices.Sum(c => int.TryParse(c, out int n) ? n : 0) / 4000.0;
            return new EvaluationResult
            {
                Status = status,
                Metrics = status == TrialStatus.Ok ? new Metrics { ValidationAccuracy = accuracy } : new Metrics(),
                CostSeconds = 1,
                Fidelity = request.Fidelity,
                Message = status == TrialStatus.Ok ? null : "injected by the test",
            };
        }
    }

    private static async Task<(RaceSummary Summary, ListJournal Journal)> Race(
        string strategy,
        long seed,
        int budget = 30,
        ISearchSpace? space = null
    )
    {
        var journal = new ListJournal();
        var referee = new Referee(
            space ?? Space,
            new TroubledEstimator(),
            Host.Value.Strategies,
            journal,
            Training.Value
        );
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

    private static string[] Asks(ListJournal journal) =>
        journal.Events.OfType<TrialFinished>().Select(t => $"{t.Heat}:{t.Trial.Architecture.Key}").ToArray();

    /// <summary>
    /// One race checked for what a race promises, then raced again with the same seed: the same asks. (One test, so a
    /// strategy that trains, DARTS and GDAS, trains the same race twice rather than three times.)
    /// </summary>
    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task Asks_stay_in_the_space_the_budget_is_respected_failed_trials_are_survived_and_the_same_seed_asks_the_same(
        string strategy
    )
    {
        int budget = Budget(strategy);
        var (summary, journal) = await Race(strategy, seed: 5, budget);
        journal
            .Events.OfType<ContestantFailed>()
            .Should()
            .BeEmpty("a conforming strategy never throws, hangs or leaves the space");
        summary.Contestants.Single().Evaluations.Should().Be(2 * budget);
        journal
            .Events.OfType<TrialFinished>()
            .Should()
            .HaveCount(2 * budget)
            .And.OnlyContain(t => Space.Contains(t.Trial.Architecture));
        journal
            .Events.OfType<TrialFinished>()
            .Should()
            .Contain(t => t.Trial.Status == TrialStatus.Failed)
            .And.Contain(t => t.Trial.Status == TrialStatus.Diverged);

        var (_, again) = await Race(strategy, seed: 5, budget);
        Asks(again).Should().Equal(Asks(journal), "the same seed gives the same sequence");
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
                    Budget = Budget(strategy),
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
            return (summary, Asks(journal));
        }
        var (summary, first) = await Run();
        var (_, second) = await Run();
        second.Should().Equal(first);
        summary.Contestants.Single().Hypervolume.Should().BePositive();
    }

    /// <summary>Every strategy on every space but nb201 (the tests above race it there), and every such space.</summary>
    public static TheoryData<string, string> StrategiesOnOtherSpaces()
    {
        var data = new TheoryData<string, string>();
        foreach (var space in Host.Value.Spaces.Entries.Where(e => e.Name != "nb201"))
        foreach (string strategy in Host.Value.Strategies.All.Select(e => e.Name).Order(StringComparer.Ordinal))
            data.Add(strategy, space.Name);
        return data;
    }

    private static readonly string[] SupernetStrategies = ["darts", "gdas"];

    /// <summary>
    /// Evaluations per heat of a conformance race. A supernet strategy trains a step on real images at every Ask and
    /// again for every trial a replay tells it: 12 asks a heat (still past the troubled estimator's failed and diverged
    /// calls) check the same promises at under half the training.
    /// </summary>
    private static int Budget(string strategy) => SupernetStrategies.Contains(strategy) ? 12 : 30;

    [Fact]
    public void The_spaces_include_one_that_is_not_a_cell()
    {
        Host.Value.Spaces.Entries.Select(e => e.Name).Should().Contain(["nb201", "nats-size", "macro"]);
    }

    /// <summary>
    /// A strategy either searches the space like any other (in it, within budget, surviving failures) or says before
    /// the race, with a reason, that it cannot (<see cref="ISpaceRequirement"/>): only the supernet strategies may.
    /// </summary>
    [Theory]
    [MemberData(nameof(StrategiesOnOtherSpaces))]
    public async Task Every_strategy_searches_every_space_or_says_before_the_race_that_it_cannot(
        string strategy,
        string spaceName
    )
    {
        var space = Host.Value.CreateSpace(spaceName);
        if (Host.Value.Strategies.Get(strategy).Factory is ISpaceRequirement requirement)
        {
            string? reason = requirement.CannotSearch(space);
            requirement.CannotSearch(Space).Should().BeNull($"{strategy} searches nb201");
            if (reason is not null)
            {
                reason.Should().Contain(spaceName);
                SupernetStrategies.Should().Contain(strategy, "only supernet strategies need a particular space");
                return;
            }
        }
        var (summary, journal) = await Race(strategy, seed: 5, budget: 20, space);
        journal
            .Events.OfType<ContestantFailed>()
            .Should()
            .BeEmpty($"{strategy} must search {spaceName} without throwing or leaving it");
        summary.Contestants.Single().Evaluations.Should().Be(40);
        journal.Events.OfType<TrialFinished>().Should().OnlyContain(t => space.Contains(t.Trial.Architecture));
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
        // A supernet strategy trains at every Ask and every replayed Tell: fewer asks, rebuilt early, middle and late.
        bool supernet = SupernetStrategies.Contains(strategy);
        int asks = supernet ? 20 : 40;
        int[] rebuildAt = supernet ? [4, 9, 16] : [7, 19, 33];
        // One kit for the heat, as the referee gives it: the rebuilt instance sees the same data and weight seed.
        var kit = Training.Value.KitFor(11, new Fidelity(), SeedMixer.Derive(11, "weights", strategy));
        SearchContext Context(int index) =>
            new()
            {
                Space = Space,
                Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(11, strategy, index))),
                AskIndex = index,
                EvaluationBudget = asks,
                EvaluationsUsed = index,
                TrainingSetup = kit,
            };
        for (int index = 0; index < asks; index++)
        {
            var architecture = original.Ask(Context(index));
            if (rebuildAt.Contains(index))
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

    /// <summary>
    /// Every strategy the catalogs find that implements <see cref="IParallelStrategy"/>, with its knobs: both settings
    /// of a <c>distinct</c> knob where it has one (they promise different things about repeats), the defaults otherwise.
    /// </summary>
    public static TheoryData<string, string> ParallelStrategies()
    {
        var data = new TheoryData<string, string>();
        foreach (var entry in Host.Value.Strategies.All.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var instance = entry.Factory.Create(
                KnobValues.Create(entry.Name, entry.Factory.Knobs, FastKnobs(entry.Name))
            );
            bool parallel = instance is IParallelStrategy;
            (instance as IDisposable)?.Dispose();
            if (!parallel)
                continue;
            if (entry.Factory.Knobs.Any(k => k.Name == "distinct"))
            {
                data.Add(entry.Name, "distinct=true");
                data.Add(entry.Name, "distinct=false");
            }
            else
                data.Add(entry.Name, "");
        }
        return data;
    }

    [Fact]
    public void The_built_in_sample_based_strategies_are_parallel_and_the_sequential_ones_are_not()
    {
        var parallel = ParallelStrategies().Select(row => (string)row[0]).Distinct().ToArray();
        parallel
            .Should()
            .Contain([
                "random-search",
                "regularized-evolution",
                "local-search",
                "predictor-local-search",
                "bananas",
                // Multi-fidelity strategies are parallel strategies: the parallel theory races them on a ladder.
                "successive-halving",
                "hyperband",
                "asha",
                "bohb",
                "dehb",
            ]);
        // REINFORCE learns from rewards in order, NSGA-II by whole generations, DARTS and GDAS train between asks.
        parallel.Should().NotContain(["reinforce", "nsga-ii", "darts", "gdas"]);
    }

    /// <summary>
    /// Where it is documented that a strategy asks nothing evaluated or still in flight: both local searches and BANANAS
    /// always, a strategy with a <c>distinct</c> knob when it is on. Other parallel strategies may repeat.
    /// </summary>
    private static bool AvoidsRepeats(string strategy, IReadOnlyDictionary<string, string> knobs) =>
        knobs.TryGetValue("distinct", out var distinct)
            ? distinct == "true"
            : strategy is "local-search" or "predictor-local-search" or "bananas";

    private static Dictionary<string, string> ParseKnobs(string strategy, string knobs)
    {
        var values = FastKnobs(strategy);
        foreach (string pair in knobs.Split(',', StringSplitOptions.RemoveEmptyEntries))
            values[pair.Split('=')[0]] = pair.Split('=')[1];
        return values;
    }

    [Theory]
    [MemberData(nameof(ParallelStrategies))]
    public void A_parallel_strategy_asked_with_trials_in_flight_stays_in_the_space_rebuilds_by_replay_and_is_deterministic(
        string strategy,
        string knobText
    )
    {
        const int trials = 30;
        var entry = Host.Value.Strategies.Get(strategy);
        var knobValues = ParseKnobs(strategy, knobText);
        var knobs = KnobValues.Create(entry.Name, entry.Factory.Knobs, knobValues);
        var kit = Training.Value.KitFor(11, new Fidelity(), SeedMixer.Derive(11, "weights", strategy));
        SearchContext Context(int index, IReadOnlyList<PendingTrial> pending, int told) =>
            new()
            {
                Space = Space,
                Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(11, strategy, index))),
                AskIndex = index,
                EvaluationBudget = trials,
                EvaluationsUsed = told,
                TrainingSetup = kit,
                Pending = pending,
                // A ladder, so that multi-fidelity strategies ask at rungs and continue trials; the others ignore it.
                Fidelities = Ladder,
                // An epoch budget the script outlasts (two brackets of successive halving cost 42), so that rebuilding
                // by replay covers brackets fitted into what is left of it, and the asks after it is spent.
                EpochBudget = 50,
            };
        (List<ParallelScript.Asked> Asks, List<Trial> Told) Script()
        {
            // Trials are scored as they come back, so the troubled estimator's failures fall in completion order.
            var estimator = new TroubledEstimator();
            Trial Finish(PendingTrial pending)
            {
                var result = estimator.Evaluate(
                    pending.Architecture,
                    new EvaluationRequest { Seed = pending.Index, DataSeed = 1 }
                );
                return RaceObjective.Accuracy.Score(
                    new Trial
                    {
                        Index = pending.Index,
                        Architecture = pending.Architecture,
                        Status = result.Status,
                        Metrics = result.Metrics,
                        CostSeconds = result.CostSeconds,
                        Message = result.Message,
                    },
                    estimator.Name
                );
            }
            var instance = entry.Factory.Create(knobs);
            try
            {
                return ParallelScript.Run(instance, Context, Finish, trials);
            }
            finally
            {
                (instance as IDisposable)?.Dispose();
            }
        }

        var (asks, told) = Script();
        asks.Should().HaveCount(trials);
        asks.Take(4).Select(a => a.Pending.Count).Should().Equal([0, 1, 2, 3], "the first asks come before any result");
        told.Select(t => t.Index).Should().NotBeInAscendingOrder("results come back out of ask order");
        told.Should().Contain(t => t.Status != TrialStatus.Ok, "failures are part of the script");

        // (a) In the space. (b) Nothing evaluated or in flight asked again, where that is the documented behaviour.
        asks.Should().OnlyContain(a => Space.Contains(a.Answer));
        if (AvoidsRepeats(strategy, knobValues))
            foreach (var ask in asks)
            {
                ask.Pending.Select(p => p.Architecture)
                    .Should()
                    .NotContain(ask.Answer, $"ask {ask.Index} repeats an architecture in flight");
                ask.Told.Select(t => t.Architecture)
                    .Should()
                    .NotContain(ask.Answer, $"ask {ask.Index} repeats an evaluated architecture");
            }

        // (c) Rebuild by replay: a new instance told the finished trials in completion order, then asked the same ask.
        // For a multi-fidelity strategy the whole ask: architecture, rung and the trial it continues.
        foreach (int index in new[] { 3, 9, 14, 18, 23, 29 })
        {
            var ask = asks[index];
            var rebuilt = entry.Factory.Create(knobs);
            foreach (var trial in ask.Told)
                rebuilt.Tell(trial);
            ParallelScript
                .AskOf(rebuilt, Context(ask.Index, ask.Pending, ask.Told.Count))
                .Should()
                .Be(
                    ask.Request,
                    $"ask {index} ({ask.Told.Count} told, {ask.Pending.Count} in flight): the rebuilt instance must ask what the original asked"
                );
            (rebuilt as IDisposable)?.Dispose();
        }

        // (d) The whole script again: the same asks, the same results.
        var (again, toldAgain) = Script();
        again.Select(a => a.Request).Should().Equal(asks.Select(a => a.Request));
        toldAgain.Select(t => (t.Index, t.Status)).Should().Equal(told.Select(t => (t.Index, t.Status)));

        // (e) Rungs on the ladder; a continuation names an ok trial of its own that has come back, at a lower rung.
        foreach (var ask in asks)
        {
            if (ask.Request.Rung is int rung)
                rung.Should().BeInRange(0, Ladder.Length - 1, $"ask {ask.Index} asks for a rung off the ladder");
            if (ask.Request.Continues is not int parent)
                continue;
            var continued = ask.Told.SingleOrDefault(t => t.Index == parent);
            continued.Should().NotBeNull($"ask {ask.Index} continues trial {parent}, which has not come back");
            continued!.Status.Should().Be(TrialStatus.Ok, $"ask {ask.Index} continues a trial that is not ok");
            continued.Architecture.Should().Be(ask.Answer);
            (continued.Rung ?? Ladder.Length - 1)
                .Should()
                .BeLessThan(ask.Request.Rung ?? Ladder.Length - 1, $"ask {ask.Index} continues to a rung not higher");
        }
    }

    /// <summary>The fidelity ladder of the parallel script, in epochs.</summary>
    private static readonly int[] Ladder = [1, 3, 9];
}
