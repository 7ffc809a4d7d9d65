using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>`nas train --from JOURNAL`: the race's winner, a contestant's best, and a journal with nothing to train.</summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class TrainFromJournalTests(ReportRaceFixture race) : IClassFixture<ReportRaceFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-train-from-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    /// <summary>The race-finished summary's contestants, in rank order, with their best architectures.</summary>
    private JArray Ranked() =>
        (JArray)
            File.ReadLines(race.Journal).Select(JObject.Parse).Single(e => (string?)e["type"] == "race-finished")[
                "summary"
            ]!["contestants"]!;

    [Fact]
    public void From_a_journal_it_trains_the_winners_best_architecture()
    {
        race.Exit.Should().Be(0, race.Stderr);
        var winner = Ranked().OfType<JObject>().Single(c => (int)c["rank"]! == 1);
        string output = Path.Combine(_folder, "winner");
        var (exit, _, stderr) = NasProcess.Run([
            "train",
            "--from",
            race.Journal,
            .. TrainCliTests.TinyOptions,
            "--seeds",
            "1",
            "--output",
            output,
        ]);
        exit.Should().Be(0, stderr);
        var summary = JObject.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        ((string)summary["architecture"]!).Should().Be((string)winner["bestArchitecture"]!);
    }

    [Fact]
    public void An_unknown_contestant_is_one_error_naming_the_contestants()
    {
        race.Exit.Should().Be(0, race.Stderr);
        var (exit, _, stderr) = NasProcess.Run("train", "--from", race.Journal, "--contestant", "nobody");
        exit.Should().Be(1);
        stderr.Should().Contain("--contestant nobody").And.Contain(race.Journal).And.NotContain("   at ");
    }

    [Fact]
    public void A_journal_with_no_finished_trial_is_one_error_naming_it()
    {
        race.Exit.Should().Be(0, race.Stderr);
        string journal = Path.Combine(_folder, "race-empty.jsonl");
        File.WriteAllLines(
            journal,
            [File.ReadLines(race.Journal).First(), """{"type":"heat-started","heat":0,"seed":1}"""]
        );
        var (exit, stdout, stderr) = NasProcess.Run("train", "--from", journal, "--output", Path.Combine(_folder, "x"));
        exit.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr.Should().Contain(journal).And.Contain("no finished trial").And.NotContain("   at ");
        Directory.Exists(Path.Combine(_folder, "x")).Should().BeFalse();
    }
}
