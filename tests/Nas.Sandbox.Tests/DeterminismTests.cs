using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The same seed gives the same race: `nas race` run twice as a user runs it (a fresh process and a fresh NAS_HOME each
/// time) writes the same journal, apart from what a clock measured. See <see cref="DeterminismKit"/> for what is
/// excluded and why.
/// </summary>
public sealed class TabularDeterminismTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-determinism-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// Every built-in sample-based strategy (knobs small enough that BANANAS's predictor and NSGA-II's breeding run
    /// within the budget), one with knobs, and example scripts.
    /// </summary>
    private static readonly string[] Lineup =
    [
        "random-search",
        "regularized-evolution",
        "regularized-evolution:population=5,sample=2",
        "reinforce",
        "local-search",
        "predictor-local-search",
        "predictor-local-search:initial=5,restart=3,patience=0",
        "bananas:initial=6,batch=4",
        "nsga-ii:population=8",
        "crossover-evolution",
        "edge-bandit",
        "greedy-local-search",
    ];

    private string Race(string name, long seed, string objective, IEnumerable<string> lineup)
    {
        string journal = Path.Combine(_folder, name + ".jsonl");
        var args = new List<string>
        {
            "race",
            "--estimator",
            "tabular",
            "--objective",
            objective,
            "--budget",
            "24",
            "--heats",
            "2",
        };
        args.AddRange(DeterminismKit.CommonArguments(seed, journal));
        foreach (string strategy in lineup)
            args.AddRange(["--strategy", strategy]);
        var (exit, _, stderr) = NasProcess.Run(args.ToArray());
        exit.Should().Be(0, stderr);
        return journal;
    }

    [Fact]
    public void The_same_seed_gives_the_same_journal_apart_from_wall_clock_fields_and_another_seed_does_not()
    {
        var first = DeterminismKit.WithoutWallClock(Race("first", 5, "accuracy", Lineup));
        var second = DeterminismKit.WithoutWallClock(Race("second", 5, "accuracy", Lineup));
        var otherSeed = DeterminismKit.WithoutWallClock(Race("other-seed", 6, "accuracy", Lineup));

        // A clean race: every contestant ran its whole budget in both heats, nothing failed or was swapped.
        first
            .Select(l => (string)l["type"]!)
            .Distinct()
            .Should()
            .BeEquivalentTo(["race-started", "heat-started", "trial", "heat-finished", "race-finished"]);
        first.Count(l => (string)l["type"]! == "trial").Should().Be(Lineup.Length * 24 * 2);
        DeterminismKit.Lines(second).Should().Equal(DeterminismKit.Lines(first));

        // The test can fail: another seed searches differently (not just a different seed field).
        DeterminismKit
            .Lines(DeterminismKit.Trials(otherSeed))
            .Should()
            .NotEqual(DeterminismKit.Lines(DeterminismKit.Trials(first)));
    }

    [Fact]
    public void A_pareto_race_with_the_same_seed_gives_the_same_journal()
    {
        string[] lineup = ["random-search", "nsga-ii:population=8", "local-search", "reinforce"];
        var first = DeterminismKit.WithoutWallClock(Race("pareto-first", 5, "pareto:accuracy,params", lineup));
        var second = DeterminismKit.WithoutWallClock(Race("pareto-second", 5, "pareto:accuracy,params", lineup));

        first.Where(l => (string)l["type"]! == "trial").Should().OnlyContain(l => l["objectives"] is JArray);
        ((JObject)first[^1]["summary"]!["contestants"]![0]!).ContainsKey("hypervolume").Should().BeTrue();
        DeterminismKit.Lines(second).Should().Equal(DeterminismKit.Lines(first));
    }
}

/// <summary>
/// A real training race on CPU (the committed Fashion-MNIST subset, a tiny fidelity) twice with the same seed: the same
/// architectures, statuses and metrics in the same order. One contestant samples (regularized evolution), one trains a
/// supernet on the race's training kit (DARTS), so both of the seeded generators a race trains with are covered.
/// </summary>
public sealed class TrainingDeterminismTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-determinism-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Race(string name)
    {
        string journal = Path.Combine(_folder, name + ".jsonl");
        var args = new List<string>
        {
            "race",
            "--estimator",
            "train",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--device",
            "cpu",
            "--train-images",
            "128",
            "--validation-images",
            "64",
            "--epochs",
            "1",
            "--channels",
            "8",
            "--cells",
            "1",
            "--strategy",
            "regularized-evolution:population=2,sample=2",
            "--strategy",
            "darts:steps-per-ask=1",
            "--budget",
            "4",
        };
        args.AddRange(DeterminismKit.CommonArguments(3, journal));
        var (exit, _, stderr) = NasProcess.Run(args.ToArray());
        exit.Should().Be(0, stderr);
        return journal;
    }

    [Fact]
    public void The_same_seed_gives_the_same_architectures_and_metrics()
    {
        var first = DeterminismKit.WithoutWallClock(Race("first"));
        var second = DeterminismKit.WithoutWallClock(Race("second"));

        var trials = DeterminismKit.TrainedTrials(first);
        trials.Should().HaveCount(8).And.OnlyContain(t => (string)t["status"]! == "ok");
        // Real training happened: losses are measured, not constants.
        trials.Select(t => (double)t["metrics"]!["trainingLoss"]!).Distinct().Should().HaveCountGreaterThan(4);
        first.Select(l => (string)l["type"]!).Should().Equal(second.Select(l => (string)l["type"]!));
        DeterminismKit.Lines(DeterminismKit.TrainedTrials(second)).Should().Equal(DeterminismKit.Lines(trials));
    }
}

/// <summary>
/// How two journals of the same race are compared, without what a clock measured. Every race: each line's
/// <c>time</c>, the summary's <c>wallSeconds</c>, a swap's <c>milliseconds</c>. A tabular race has no other: costs and
/// latencies come from the table (simulated) and sample-based strategies never touch the training kit (their
/// <c>searchSeconds</c> stay 0), so the rest of its journal must match. A training race's trials also carry a timed
/// <c>cost</c> and, when measured, latency metrics; so do its standings (<c>seconds</c>, <c>searchSeconds</c>) and
/// search-time lines: there only the trials' decisions and measurements are compared.
/// </summary>
internal static class DeterminismKit
{
    /// <summary>
    /// Options both kinds of race share: the seed and journal, and a call timeout far beyond any call here, so that a
    /// loaded machine cannot turn a slow Ask into a failure (the timeout is wall-clock by design).
    /// </summary>
    public static IEnumerable<string> CommonArguments(long seed, string journal) =>
        [
            "--seed",
            seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--journal",
            journal,
            "--call-timeout",
            "600",
        ];

    /// <summary>The journal's lines without the fields a clock measured in every race.</summary>
    public static List<JObject> WithoutWallClock(string journal) =>
        File.ReadAllLines(journal)
            .Select(line =>
            {
                var json = JObject.Parse(line);
                json.Remove("time");
                json.SelectToken("summary.wallSeconds")?.Parent?.Remove();
                if ((string)json["type"]! == "swap")
                    json.Remove("milliseconds");
                return json;
            })
            .ToList();

    /// <summary>The trial lines, in journal order.</summary>
    public static List<JObject> Trials(IEnumerable<JObject> lines) =>
        lines.Where(l => (string)l["type"]! == "trial").ToList();

    /// <summary>
    /// The trials of a training race as (contestant, heat, index, arch, fidelity, status, metrics, curve, objective,
    /// cached, message): what the race measured and decided, without the cost, latencies and curve seconds timed on this
    /// machine.
    /// </summary>
    public static List<JObject> TrainedTrials(IEnumerable<JObject> lines) =>
        Trials(lines)
            .Select(line =>
            {
                var trial = (JObject)line.DeepClone();
                trial.Remove("cost");
                // The learning curve's seconds are timed too; its accuracies and losses are what was measured.
                foreach (var point in trial["curve"]?.Children<JObject>() ?? [])
                    point.Remove("seconds");
                var metrics = (JObject)trial["metrics"]!;
                metrics.Remove("latencyMs");
                metrics.Remove("latencyMsBatch64");
                return trial;
            })
            .ToList();

    /// <summary>Lines as compact JSON strings, so that a mismatch prints the two lines that differ.</summary>
    public static string[] Lines(IEnumerable<JObject> lines) =>
        lines.Select(l => l.ToString(Newtonsoft.Json.Formatting.None)).ToArray();
}
