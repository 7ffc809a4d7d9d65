using System.Globalization;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>Races on a tabular benchmark: simulated time, held-out test accuracy, determinism.</summary>
public sealed class TabularRaceTests : IDisposable
{
    private static readonly string[] Ops = ["none", "skip_connect", "nor_conv_3x3"];
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-tabular-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A full table of the 3-operation cell: convolutions help, a cut-off output does not; seconds grow with convolutions.</summary>
    internal static string WriteTable(string folder)
    {
        var text = new System.Text.StringBuilder("arch,validation_accuracy,test_accuracy,train_seconds,params,flops\n");
        foreach (var a in new Nb201Space(Ops).Enumerate())
        {
            int convs = a.Choices.Count(c => c == "nor_conv_3x3"),
                skips = a.Choices.Count(c => c == "skip_connect");
            double validation = 0.1 + 0.1 * convs + 0.02 * skips + (a.Key.Length % 7) / 1000.0;
            text.Append(
                CultureInfo.InvariantCulture,
                $"{a.Key},{validation:0.####},{validation - 0.01:0.####},{1 + convs},{1000 * (1 + convs)},{20000 * (1 + convs)}\n"
            );
        }
        string path = Path.Combine(folder, "table.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private Referee Referee(IRaceJournal journal, out TabularEstimator estimator)
    {
        var table = TabularTable.Load(WriteTable(_folder), new TableColumns(), Ops);
        estimator = new TabularEstimator(table);
        var strategies = new StrategyCatalog([
            new TestStrategyFactory("random", () => new DelegateStrategy(c => c.Space.Sample(c.Random))).Entry(),
            new TestStrategyFactory("greedy", () => new GreedyStrategy()).Entry(),
        ]);
        return new Referee(new Nb201Space(table.Operations), estimator, strategies, journal);
    }

    private sealed class GreedyStrategy : Nas.Sandbox.Abstractions.IStrategy
    {
        private Nas.Sandbox.Abstractions.Trial? _best;

        public Nas.Sandbox.Abstractions.Architecture Ask(Nas.Sandbox.Abstractions.SearchContext c) =>
            _best is null ? c.Space.Sample(c.Random) : c.Space.Mutate(_best.Architecture, c.Random);

        public void Tell(Nas.Sandbox.Abstractions.Trial t)
        {
            if (t.Metrics.ValidationAccuracy > (_best?.Metrics.ValidationAccuracy ?? -1))
                _best = t;
        }
    }

    private static RaceSettings Settings(int? budget = null, double? seconds = null) =>
        new()
        {
            Contestants = [ContestantSpec.Parse("random"), ContestantSpec.Parse("greedy")],
            Budget = budget,
            BudgetSeconds = seconds,
            Heats = 5,
            Seed = 11,
            Estimator = "tabular",
        };

    [Fact]
    public async Task A_seconds_budget_is_spent_in_simulated_time_from_the_table()
    {
        var journal = new ListJournal();
        var summary = await Referee(journal, out _).RunAsync(Settings(seconds: 40));
        foreach (var heat in journal.Events.OfType<HeatFinished>())
        foreach (var standing in heat.Standings)
        {
            var trials = journal
                .Events.OfType<TrialFinished>()
                .Where(t => t.Heat == heat.Heat && t.Contestant == standing.Contestant)
                .ToArray();
            standing.Seconds.Should().Be(trials.Sum(t => t.Trial.CostSeconds));
            // It stops at the first trial that reaches the budget: everything before stayed under it.
            (standing.Seconds - trials[^1].Trial.CostSeconds).Should().BeLessThan(40);
            standing.Seconds.Should().BeGreaterThanOrEqualTo(40);
        }
        summary.Contestants.Should().OnlyContain(c => c.Seconds >= 5 * 40);
    }

    [Fact]
    public async Task The_summary_has_the_test_accuracy_of_each_heats_best_by_validation()
    {
        var journal = new ListJournal();
        var summary = await Referee(journal, out var estimator).RunAsync(Settings(budget: 30));
        foreach (var c in summary.Contestants)
        {
            var picks = journal
                .Events.OfType<HeatFinished>()
                .Select(h => h.Standings.Single(s => s.Contestant == c.Label).BestArchitecture!)
                .ToArray();
            var tests = picks.Select(p => estimator.TestAccuracy(p)!.Value).ToArray();
            c.TestAccuracyOfBest.Should().BeApproximately(tests.Average(), 1e-12);
            double mean = tests.Average();
            c.TestAccuracyOfBestStd.Should()
                .BeApproximately(
                    Math.Sqrt(tests.Sum(t => (t - mean) * (t - mean)) / tests.Length),
                    1e-12,
                    "the spread over heats (population standard deviation, as the leaderboard prints it)"
                );
        }
        JournalFormat.Summary(summary)["contestants"]![0]!["testAccuracyOfBest"]!.Type.Should().Be(JTokenType.Float);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_journal_apart_from_timestamps()
    {
        string first = Path.Combine(_folder, "a.jsonl"),
            second = Path.Combine(_folder, "b.jsonl");
        foreach (string path in new[] { first, second })
        {
            using var writer = new JournalWriter(path, syncTrials: false);
            await Referee(writer, out _).RunAsync(Settings(budget: 25));
        }
        static string[] WithoutTimes(string path) =>
            File.ReadAllLines(path)
                .Select(line =>
                {
                    var json = JObject.Parse(line);
                    json.Remove("time");
                    json.SelectToken("summary.wallSeconds")?.Parent?.Remove();
                    return json.ToString(Newtonsoft.Json.Formatting.None);
                })
                .ToArray();
        var a = WithoutTimes(first);
        a.Should().HaveCountGreaterThan(250);
        a.Should().Equal(WithoutTimes(second));
    }
}
