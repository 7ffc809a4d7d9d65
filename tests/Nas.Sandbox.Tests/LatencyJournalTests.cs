using Nas.Sandbox.Core.Hosting;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// How a race measures latency (--latency-warmup, --latency-repeats) is journaled, so a resumed or shared race measures
/// the same way with no flags. The cheapest race that measures latency: a zero-cost proxy (naswot) with a latency
/// objective, 0 warm-up and 1 timed pass (a table holds latency already, so a tabular race measures none).
/// </summary>
public sealed class LatencyJournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-latency-journal-").FullName;

    private string NewHome() =>
        Directory.CreateDirectory(Path.Combine(_folder, "home-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    private static (int Exit, string Out, string Err) Nas(string home, params string[] args) =>
        NasProcess.Run(new Dictionary<string, string?> { [NasHome.Variable] = home }, args);

    private static string[] LatencyRace(int budget) =>
        [
            "race",
            "--estimator",
            "naswot",
            "--objective",
            "pareto:accuracy,latency1",
            "--strategy",
            "random-search",
            "--budget",
            $"{budget}",
            "--seed",
            "3",
            "--latency-warmup",
            "0",
            "--latency-repeats",
            "1",
        ];

    private static JObject Event(string journal, string type) =>
        File.ReadLines(journal).Select(JObject.Parse).Single(e => (string)e["type"]! == type);

    /// <summary>The settings the race started with.</summary>
    private static JObject Started(string journal) => (JObject)Event(journal, "race-started")["settings"]!;

    /// <summary>The settings the race ended with (its race-finished summary's): those a resumed race ran with.</summary>
    private static JObject Finished(string journal) =>
        (JObject)Event(journal, "race-finished")["summary"]!["settings"]!;

    private static (int Warmup, int Repeats) Latency(JObject settings) =>
        ((int)settings["latencyWarmup"]!, (int)settings["latencyRepeats"]!);

    private static IEnumerable<string> Fields(JObject settings) => settings.Properties().Select(p => p.Name);

    /// <summary>The journal's first lines, as a kill after line <paramref name="lines"/> leaves it.</summary>
    private string Cut(string journal, int lines, string name, Func<string, string>? edit = null)
    {
        string cut = Path.Combine(_folder, name);
        File.WriteAllLines(cut, File.ReadLines(journal).Take(lines).Select(edit ?? (line => line)));
        return cut;
    }

    [Fact]
    public void A_latency_race_journals_how_it_measures_latency_and_a_resume_measures_the_same_way_without_flags()
    {
        string home = NewHome(),
            journal = Path.Combine(_folder, "latency.jsonl");
        var (exit, _, err) = Nas(home, [.. LatencyRace(budget: 2), "--journal", journal]);
        exit.Should().Be(0, err);
        var started = Started(journal);
        started["latencyWarmup"]!.Type.Should().Be(JTokenType.Integer);
        started["latencyRepeats"]!.Type.Should().Be(JTokenType.Integer);
        Latency(started).Should().Be((0, 1));

        // Killed after its first trial (race-started, heat-started, trial), then resumed with no flags: the second trial
        // is measured, and the race that ends records the journaled way of measuring, not the defaults (3 and 10).
        string cut = Cut(journal, 3, "latency-cut.jsonl");
        File.ReadLines(cut).Last().Should().Contain("\"type\":\"trial\"");
        (exit, _, err) = Nas(home, "race", "--resume", cut);
        exit.Should().Be(0, err);
        var trials = File.ReadLines(cut).Select(JObject.Parse).Where(e => (string)e["type"]! == "trial").ToArray();
        trials.Should().HaveCount(2).And.OnlyContain(t => (double)t["metrics"]!["latencyMs"]! > 0);
        Latency(Finished(cut)).Should().Be((0, 1));

        // Giving them again could change how the race measures midway: refused, like every option that defines a race.
        (exit, _, err) = Nas(home, "race", "--resume", Cut(journal, 3, "latency-cut2.jsonl"), "--latency-repeats", "5");
        exit.Should().Be(1);
        err.Trim().Should().Be("error: --resume takes the race's settings from its journal; remove --latency-repeats.");
    }

    [Fact]
    public void A_journal_written_before_latency_settings_were_recorded_resumes_with_the_defaults()
    {
        string home = NewHome(),
            journal = Path.Combine(_folder, "old.jsonl");
        var (exit, _, err) = Nas(home, [.. LatencyRace(budget: 1), "--journal", journal]);
        exit.Should().Be(0, err);
        // The whole trial recorded, the heat not finished, and the race-started line as an older nas wrote it.
        string old = Cut(journal, 3, "old-cut.jsonl", line =>
        {
            var e = JObject.Parse(line);
            if ((string)e["type"]! == "race-started")
            {
                var settings = (JObject)e["settings"]!;
                settings.Remove("latencyWarmup");
                settings.Remove("latencyRepeats");
            }
            return e.ToString(Newtonsoft.Json.Formatting.None);
        });
        Fields(Started(old)).Should().NotContain(["latencyWarmup", "latencyRepeats"]);
        (exit, _, err) = Nas(home, "race", "--resume", old);
        exit.Should().Be(0, err);
        Latency(Finished(old)).Should().Be((3, 10));
    }

    [Theory]
    [InlineData("accuracy")]
    [InlineData("pareto:accuracy,latency1")]
    public void A_race_that_measures_no_latency_journals_no_latency_settings(string objective)
    {
        // A tabular race reads latency from its table (the shipped one has it) and measures none, whatever the options say.
        string journal = Path.Combine(_folder, $"tabular-{objective.Length}.jsonl");
        var (exit, _, err) = Nas(
            NewHome(),
            "race",
            "--estimator",
            "tabular",
            "--objective",
            objective,
            "--budget",
            "5",
            "--heats",
            "1",
            "--latency-repeats",
            "4",
            "--journal",
            journal
        );
        exit.Should().Be(0, err);
        Fields(Started(journal)).Should().NotContain(["latencyWarmup", "latencyRepeats"]);
        Fields(Finished(journal)).Should().NotContain(["latencyWarmup", "latencyRepeats"]);
    }

    [Fact]
    public void A_shared_latency_race_records_how_it_measured_latency_and_runs_again_that_way()
    {
        // A race of built-in contestants alone: the pack carries the race and its journal, no code.
        string author = NewHome(),
            journal = Path.Combine(_folder, "shared-latency.jsonl"),
            feed = Path.Combine(_folder, "feed");
        var (exit, _, err) = Nas(author, [.. LatencyRace(budget: 1), "--contestant-memory", "4", "--journal", journal]);
        exit.Should().Be(0, err);
        (exit, var built, err) = Nas(
            author,
            "pack",
            "build",
            "--from-race",
            journal,
            "--id",
            "Shared.Latency",
            "--license",
            "MIT",
            "-o",
            feed
        );
        exit.Should().Be(0, err);
        built.Should().Contain("--latency-warmup 0 --latency-repeats 1");

        string other = NewHome();
        (exit, _, err) = Nas(other, "pack", "install", "Shared.Latency", "--source", feed);
        exit.Should().Be(0, err);
        (exit, var list, err) = Nas(other, "pack", "list", "--json");
        exit.Should().Be(0, err);
        var command = Packs.PackListJson.RaceCommand(list);
        command
            .Should()
            .ContainInOrder("--latency-warmup", "0")
            .And.ContainInOrder("--latency-repeats", "1")
            .And.ContainInOrder("--contestant-memory", "4");

        string again = Path.Combine(_folder, "again.jsonl");
        (exit, _, err) = Nas(other, ["race", .. command, "--journal", again]);
        exit.Should().Be(0, err);
        Latency(Started(again)).Should().Be((0, 1));
        ((double)Started(again)["contestantMemory"]!).Should().Be(4);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
    }
}
