using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Races with a fidelity ladder on a real table with learning curves (tests/data/nb201-2op-curves-3ep.csv: the
/// 64 cells of {none, nor_conv_3x3}, trained 3 epochs by nas tabulate --curve): asks by rung, continuations that pay
/// only their extra epochs, an epoch budget, picks at the highest rung, and bad continuations refused.
/// </summary>
public sealed class MultiFidelityRaceTests
{
    private static readonly string TablePath = Path.Combine(
        ScriptTestKit.RepoRoot,
        "tests",
        "data",
        "nb201-2op-curves-3ep.csv"
    );
    private static readonly Lazy<TabularTable> Table = new(() =>
        TabularTable.Load(TablePath, new TableColumns(), ["none", "nor_conv_3x3"])
    );

    /// <summary>
    /// A small successive halving, scripted: three new architectures at rung 0, then the best of them continued to
    /// rung 1, and again. Sequential (MaxInFlight 1), so its asks follow its tells.
    /// </summary>
    private sealed class Halving : IMultiFidelityStrategy
    {
        private readonly List<Trial> _told = [];
        public int MaxInFlight => 1;

        public TrialAsk AskTrial(SearchContext context)
        {
            var bracket = _told.Skip(_told.Count / 4 * 4).ToList();
            if (bracket.Count < 3)
                return TrialAsk.At(context.Space.Sample(context.Random), 0);
            var best = bracket.Where(t => t.Status == TrialStatus.Ok).MaxBy(t => t.Objective)!;
            return TrialAsk.Continue(best, 1);
        }

        public void Tell(Trial trial) => _told.Add(trial);
    }

    /// <summary>Asks what it is given: a script of asks, each made from the trials told so far.</summary>
    private sealed class Scripted(params Func<IReadOnlyList<Trial>, SearchContext, TrialAsk>[] asks)
        : IMultiFidelityStrategy
    {
        private readonly List<Trial> _told = [];
        public int MaxInFlight => 1;

        public TrialAsk AskTrial(SearchContext context) =>
            asks[Math.Min(context.AskIndex, asks.Length - 1)](_told, context);

        public void Tell(Trial trial) => _told.Add(trial);
    }

    private static Referee Referee(ListJournal journal, params (string Name, Func<IStrategy> Create)[] strategies)
    {
        var table = Table.Value;
        return new Referee(
            new Nb201Space(table.Operations),
            new TabularEstimator(table, epochs: true),
            new StrategyCatalog(strategies.Select(s => new TestStrategyFactory(s.Name, s.Create).Entry()).ToArray()),
            journal
        );
    }

    private static RaceSettings Settings(double epochs, params string[] contestants) =>
        new()
        {
            Contestants = contestants.Select(ContestantSpec.Parse).ToArray(),
            Estimator = "tabular",
            Fidelities = [1, 3],
            BudgetEpochs = epochs,
            Heats = 2,
            Seed = 3,
        };

    [Fact]
    public async Task A_continuation_pays_only_its_extra_epochs_and_seconds_and_others_race_at_the_top_rung()
    {
        var journal = new ListJournal();
        await Referee(
                journal,
                ("halving", () => new Halving()),
                ("random", () => new DelegateStrategy(c => c.Space.Sample(c.Random)))
            )
            .RunAsync(Settings(30, "halving", "random"));

        var trials = journal.Events.OfType<TrialFinished>().ToList();
        var halving = trials.Where(t => t.Contestant == "halving" && t.Heat == 0).Select(t => t.Trial).ToList();
        halving.Take(3).Should().OnlyContain(t => t.Rung == 0 && t.Fidelity.Epochs == 1 && t.Continues == null);
        var promoted = halving[3];
        promoted.Rung.Should().Be(1);
        promoted.Continues.Should().Be(halving.Take(3).MaxBy(t => t.Objective)!.Index);
        var row = Table.Value.Find(promoted.Architecture)!;
        promoted.CostSeconds.Should().BeApproximately(row.SecondsCurve![2] - row.SecondsCurve[0], 1e-9);
        promoted.Metrics.ValidationAccuracy.Should().Be(row.Curve![2]);
        promoted.Curve.Select(p => p.ValidationAccuracy).Should().Equal(row.Curve.Take(3).Cast<double?>());
        halving[0]
            .Curve.Should()
            .ContainSingle()
            .Which.ValidationAccuracy.Should()
            .Be(Table.Value.Find(halving[0].Architecture)!.Curve![0]);

        trials
            .Where(t => t.Contestant == "random")
            .Should()
            .OnlyContain(t => t.Trial.Rung == 1 && t.Trial.Fidelity.Epochs == 3);

        foreach (var heat in journal.Events.OfType<HeatFinished>())
        {
            var random = heat.Standings.Single(s => s.Contestant == "random");
            trials
                .Count(t => t.Contestant == "random" && t.Heat == heat.Heat && !t.Trial.FromCache)
                .Should()
                .Be(10, "30 epochs are ten evaluations at the top rung of 3 epochs (a repeat from the cache is free)");
            random.Epochs.Should().Be(30);
            var h = heat.Standings.Single(s => s.Contestant == "halving");
            h.Epochs.Should()
                .BeInRange(30, 32, "it asks until its epochs reach the budget: a bracket is 3×1 + 2 epochs");
            var ladder = trials.Where(t => t.Contestant == "halving" && t.Heat == heat.Heat).Select(t => t.Trial);
            var top = ladder.Where(t => t.Rung == 1 && t.Status == TrialStatus.Ok).MaxBy(t => t.Objective)!;
            h.BestArchitecture.Should().Be(top.Architecture.Key, "the pick is the best at the highest rung reached");
        }
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_ladder_race()
    {
        async Task<List<string>> Race()
        {
            var journal = new ListJournal();
            await Referee(journal, ("halving", () => new Halving())).RunAsync(Settings(20, "halving"));
            return journal
                .Events.OfType<TrialFinished>()
                .Select(t =>
                    $"{t.Heat} {t.Trial.Index} {t.Trial.Architecture.Key} {t.Trial.Rung} {t.Trial.Continues} {t.Trial.CostSeconds}"
                )
                .ToList();
        }
        (await Race()).Should().Equal(await Race());
    }

    [Fact]
    public async Task Bad_asks_are_failed_asks_with_a_reason_and_the_race_goes_on()
    {
        var journal = new ListJournal();
        var strategy = new Scripted(
            (_, c) => TrialAsk.At(c.Space.Sample(c.Random), 0),
            (told, _) => TrialAsk.Continue(told[0], 0), // not a higher rung
            (told, _) => new TrialAsk { Architecture = told[0].Architecture, Rung = 5 }, // off the ladder
            (told, _) =>
                new TrialAsk
                {
                    Architecture = told[0].Architecture,
                    Rung = 1,
                    Continues = 99,
                }, // not its own
            (told, c) =>
                new TrialAsk
                {
                    Architecture = c.Space.Mutate(told[0].Architecture, c.Random),
                    Rung = 1,
                    Continues = 0,
                }, // another architecture
            (told, _) => TrialAsk.Continue(told[0], 1), // fine: continues trial 0
            (_, c) => TrialAsk.At(c.Space.Sample(c.Random), 1)
        );
        await Referee(journal, ("scripted", () => strategy)).RunAsync(Settings(12, "scripted") with { Heats = 1 });

        var failures = journal.Events.OfType<ContestantFailed>().Where(f => f.Phase == "ask").ToList();
        failures.Select(f => f.Index).Should().Equal([1, 2, 3, 4]);
        failures[0].Message.Should().Contain("not higher");
        failures[1].Message.Should().Contain("rungs 0 to 1");
        failures[2].Message.Should().Contain("trial 99").And.Contain("not one of its own");
        failures[3].Message.Should().Contain("as another architecture");
        var continued = journal.Events.OfType<TrialFinished>().Select(t => t.Trial).Single(t => t.Index == 5);
        continued.Continues.Should().Be(0);
        continued.Rung.Should().Be(1);
    }

    [Fact]
    public async Task A_strategy_without_a_ladder_asking_for_a_rung_is_refused()
    {
        var journal = new ListJournal();
        var strategy = new Scripted((_, c) => TrialAsk.At(c.Space.Sample(c.Random), 0));
        var table = TabularTable.Load(TablePath, new TableColumns(), ["none", "nor_conv_3x3"]);
        var referee = new Referee(
            new Nb201Space(table.Operations),
            new TabularEstimator(table),
            new StrategyCatalog([new TestStrategyFactory("scripted", () => strategy).Entry()]),
            journal
        );
        await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("scripted")],
                Estimator = "tabular",
                Budget = 3,
            }
        );
        // Without a ladder a multi-fidelity strategy is asked through Ask: it races at the race's fidelity.
        journal.Events.OfType<TrialFinished>().Should().HaveCount(3).And.OnlyContain(t => t.Trial.Rung == null);
    }

    [Fact]
    public async Task Early_stopping_by_the_median_rule_stops_trials_below_the_median_and_saves_their_epochs()
    {
        var journal = new ListJournal();
        await Referee(journal, ("random", () => new DelegateStrategy(c => c.Space.Sample(c.Random))))
            .RunAsync(Settings(45, "random") with { EarlyStop = "median", Heats = 1 });

        var trials = journal.Events.OfType<TrialFinished>().Select(t => t.Trial).Where(t => !t.FromCache).ToList();
        var stopped = trials.Where(t => t.Rung == 0).ToList();
        stopped.Should().NotBeEmpty("with three earlier trials, some fall below their median after one epoch");
        trials.Take(3).Should().OnlyContain(t => t.Rung == 1, "the rule needs three earlier trials");
        foreach (var trial in stopped)
        {
            trial.Message.Should().Contain("median rule");
            trial.Curve.Should().ContainSingle();
            var earlier = trials
                .TakeWhile(t => t.Index < trial.Index)
                .Select(t => t.Curve[0].ValidationAccuracy!.Value)
                .Order()
                .ToArray();
            double median =
                earlier.Length % 2 == 1
                    ? earlier[earlier.Length / 2]
                    : (earlier[earlier.Length / 2 - 1] + earlier[earlier.Length / 2]) / 2;
            trial.Metrics.ValidationAccuracy.Should().BeLessThan(median);
            var row = Table.Value.Find(trial.Architecture)!;
            trial.CostSeconds.Should().BeApproximately(row.SecondsCurve![0], 1e-9, "it paid for one epoch");
        }
        foreach (var trial in trials.Where(t => t.Rung == 1))
            trial
                .CostSeconds.Should()
                .BeApproximately(Table.Value.Find(trial.Architecture)!.SecondsCurve![2], 1e-9, "one run, step by step");
        var standing = journal.Events.OfType<HeatFinished>().Single().Standings.Single();
        standing.Epochs.Should().Be(stopped.Count * 1 + trials.Count(t => t.Rung == 1) * 3);
        standing.Evaluations.Should().BeGreaterThan(15, "stopped trials leave epochs for more evaluations than 45 / 3");
    }

    [Fact]
    public void The_curve_rule_extrapolates_a_power_law_it_was_fitted_on()
    {
        // acc(e) = 0.9 − 0.5·e^(−1): 0.4, 0.65, 0.7333 at 1, 2, 3 epochs, 0.8444 at 9.
        var points = new[] { 1.0, 2, 3 }.Select(e => (e, 0.9 - 0.5 / e)).ToArray();
        Nas.Sandbox.Core.Racing.EarlyStopping.Extrapolate(points, 9).Should().BeApproximately(0.9 - 0.5 / 9, 1e-3);
        // A falling curve is not extrapolated upwards: its last value stands.
        Nas.Sandbox.Core.Racing.EarlyStopping.Extrapolate([(1, 0.6), (2, 0.5)], 9).Should().Be(0.5);
    }
}
