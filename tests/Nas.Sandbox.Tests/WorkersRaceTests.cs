using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Races with several workers per contestant (<c>--workers</c>) on a table, simulated on each contestant's worker clock:
/// a parallel strategy is asked with its trials pending and gets them back in completion order, a sequential one is
/// never asked with a trial pending, the same seed gives the same journal, and a resume redoes only the trials that
/// never came back.
/// </summary>
public sealed class WorkersRaceTests : IDisposable
{
    private static readonly string[] Ops = ["none", "skip_connect", "nor_conv_3x3"];
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-workers-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Random search that may be asked with trials pending; it never proposes a pending architecture.</summary>
    private sealed class ParallelRandom(int? limit = null) : IParallelStrategy
    {
        public List<int> PendingAtAsk { get; } = [];
        public int MaxInFlight => limit ?? int.MaxValue;

        public Architecture Ask(SearchContext context)
        {
            PendingAtAsk.Add(context.Pending.Count);
            var pending = context.Pending.Select(p => p.Architecture).ToHashSet();
            var architecture = context.Space.Sample(context.Random);
            while (pending.Contains(architecture))
                architecture = context.Space.Sample(context.Random);
            return architecture;
        }

        public void Tell(Trial trial) { }
    }

    private readonly List<ParallelRandom> _parallel = [];
    private readonly List<int> _sequentialPending = [];

    private Referee Referee(IRaceJournal journal)
    {
        var table = TabularTable.Load(TabularRaceTests.WriteTable(_folder), new TableColumns(), Ops);
        var strategies = new StrategyCatalog([
            new TestStrategyFactory("parallel", () => Add(new ParallelRandom())).Entry(),
            new TestStrategyFactory("capped", () => Add(new ParallelRandom(limit: 2))).Entry(),
            new TestStrategyFactory("sequential", () => new DelegateStrategy(c =>
                {
                    _sequentialPending.Add(c.Pending.Count);
                    return c.Space.Sample(c.Random);
                })).Entry(),
        ]);
        return new Referee(new Nb201Space(table.Operations), new TabularEstimator(table), strategies, journal);
    }

    private ParallelRandom Add(ParallelRandom strategy)
    {
        _parallel.Add(strategy);
        return strategy;
    }

    private static RaceSettings Settings(params string[] contestants) =>
        new()
        {
            Contestants = contestants.Select(ContestantSpec.Parse).ToArray(),
            Budget = 40,
            Heats = 2,
            Seed = 3,
            Workers = 4,
            Estimator = "tabular",
        };

    [Fact]
    public async Task A_parallel_strategy_keeps_its_workers_busy_and_gets_results_in_completion_order_while_a_sequential_one_waits()
    {
        var journal = new ListJournal();
        var summary = await Referee(journal).RunAsync(Settings("parallel", "sequential"));

        _parallel
            .SelectMany(p => p.PendingAtAsk)
            .Max()
            .Should()
            .Be(3, "with 4 workers it is asked again while 3 trials are pending");
        _sequentialPending
            .Should()
            .OnlyContain(
                n => n == 0,
                "a strategy that is not an IParallelStrategy is never asked with a trial pending"
            );
        var finished = journal.Events.OfType<TrialFinished>().ToArray();
        foreach (var group in finished.GroupBy(t => (t.Heat, t.Contestant)))
        {
            var trials = group.ToArray();
            trials
                .Select(t => t.Trial.Index)
                .Should()
                .BeEquivalentTo(Enumerable.Range(0, 40), "every trial comes back exactly once");
            trials
                .Select(t => t.FinishedAt!.Value)
                .Should()
                .BeInAscendingOrder("results come back in completion order");
            trials
                .Should()
                .OnlyContain(t =>
                    t.FinishedAt >= t.StartedAt
                        && Math.Abs(t.FinishedAt!.Value - t.StartedAt!.Value - t.Trial.CostSeconds) < 1e-9
                    || t.Trial.FromCache
                );
            if (group.Key.Contestant == "sequential")
                trials
                    .Zip(trials.Skip(1))
                    .Should()
                    .OnlyContain(p => p.Second.StartedAt >= p.First.FinishedAt, "one trial at a time");
            else
                trials
                    .Select(t => t.Trial.Index)
                    .Should()
                    .NotBeInAscendingOrder("a quick trial asked later overtakes a slow one");
        }
        var started = journal.Events.OfType<TrialStarted>().ToArray();
        started.Select(s => (s.Heat, s.Contestant, s.Index)).Should().OnlyHaveUniqueItems();
        finished
            .Where(t => !t.Trial.FromCache)
            .Should()
            .OnlyContain(t =>
                started.Any(s => s.Heat == t.Heat && s.Contestant == t.Contestant && s.Index == t.Trial.Index)
            );

        var parallel = summary.Contestants.Single(c => c.Label == "parallel");
        var sequential = summary.Contestants.Single(c => c.Label == "sequential");
        parallel.MeanWorkers.Should().BeGreaterThan(3.2);
        sequential.MeanWorkers.Should().Be(1);
        parallel
            .ClockSeconds.Should()
            .BeLessThan(
                parallel.Seconds / 2 / 3,
                "4 workers finish a heat's 40 evaluations in about a quarter of their worker-seconds"
            );
        sequential.ClockSeconds.Should().BeApproximately(sequential.Seconds / 2, 1e-9);
    }

    [Fact]
    public async Task A_strategy_gets_no_more_in_flight_than_its_own_limit()
    {
        await Referee(new ListJournal()).RunAsync(Settings("capped"));
        _parallel.SelectMany(p => p.PendingAtAsk).Max().Should().Be(1, "MaxInFlight 2: asked with at most one pending");
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_journal()
    {
        var first = new ListJournal();
        var second = new ListJournal();
        await Referee(first).RunAsync(Settings("parallel", "sequential"));
        await Referee(second).RunAsync(Settings("parallel", "sequential"));
        Lines(first).Should().HaveCountGreaterThan(300).And.Equal(Lines(second));
    }

    private static string[] Lines(ListJournal journal) =>
        journal
            .Events.Select(e =>
            {
                var json = JournalFormat.ToJson(e);
                json.Remove("time");
                json.SelectToken("summary.wallSeconds")?.Parent?.Remove();
                return json.ToString(Newtonsoft.Json.Formatting.None);
            })
            .ToArray();

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.55)]
    [InlineData(0.8)]
    public async Task A_race_killed_with_trials_in_flight_resumes_redoing_only_those_and_ends_as_the_uninterrupted_one(
        double at
    )
    {
        string path = Path.Combine(_folder, "race.jsonl");
        var settings = Settings("parallel", "sequential");
        using (var writer = new JournalWriter(path))
            await Referee(writer).RunAsync(settings);
        var full = File.ReadAllLines(path);
        // Cut right after a trial-started line near the given share of the journal: some trials are in flight.
        int cut = Enumerable
            .Range((int)(full.Length * at), full.Length)
            .First(i => full[i].Contains("\"type\":\"trial-started\""));
        static IEnumerable<string> Keys(IEnumerable<string> lines, string type) =>
            lines
                .Select(JObject.Parse)
                .Where(e => (string)e["type"]! == type)
                .Select(e => $"{e["heat"]}/{e["contestant"]}/{e["index"]}");
        int inFlight = Keys(full.Take(cut + 1), "trial-started").Except(Keys(full.Take(cut + 1), "trial")).Count();
        File.WriteAllLines(path, full.Take(cut + 1));

        var resume = ResumePoint.Read(JournalReader.Read(path), path, new Nb201Space(Ops));
        using (var writer = new JournalWriter(path, repairTornTail: true))
            await Referee(writer).RunAsync(settings, null, resume);

        static string[] Trials(IEnumerable<string> lines) =>
            lines
                .Select(JObject.Parse)
                .Where(e => (string)e["type"]! == "trial")
                .Select(e =>
                    $"{e["heat"]}/{e["contestant"]}/{e["index"]} {e["arch"]} {e["metrics"]} {e["cost"]} {e["startedAt"]} {e["finishedAt"]}"
                )
                // Each contestant's trials in the order they came back (contestants are independent; their interleaving is not).
                .OrderBy(line => line[..line.IndexOf('/', line.IndexOf('/') + 1)], StringComparer.Ordinal)
                .ToArray();
        var resumed = File.ReadAllLines(path);
        Trials(resumed)
            .Should()
            .Equal(
                Trials(full),
                "every trial exactly once, each contestant's in the same order, at the same simulated times"
            );
        resumed
            .Count(l => l.Contains("\"trial-started\""))
            .Should()
            .Be(
                full.Count(l => l.Contains("\"trial-started\"")),
                "only the trials that never came back are started again, and they are not journaled as started twice"
            );
        inFlight.Should().BeGreaterThan(0);
    }
}
