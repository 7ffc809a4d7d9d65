using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>The report a user saves with w: a Markdown summary and a CSV of every trial, beside the journal.</summary>
public sealed class RaceReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_report_has_the_leaderboard_the_best_cells_and_one_csv_row_per_trial()
    {
        var story = new RaceStory("alpha", "beta")
            .Trial("alpha", 0.61)
            .Trial("beta", 0.74, RaceStory.ConvCell)
            .Trial("alpha", null, status: TrialStatus.Failed, message: "out of memory, \"twice\"");
        var (markdown, csv) = RaceReport.Save(
            Path.Combine(_folder, "race-1"),
            story.Snapshot(),
            story.Tracker.AllTrials(),
            "runs/race-1.jsonl"
        );

        markdown.Should().EndWith("race-1.report.md");
        string md = File.ReadAllText(markdown);
        md.Should().StartWith("# Race report: beta vs alpha");
        md.Should()
            .Contain("| 1 | beta | built-in | 1.0.0 | 0.7400 |")
            .And.Contain("| 2 | alpha | built-in | 1.0.0 | 0.6100 |");
        md.Should().Contain("- journal: `runs/race-1.jsonl`");
        md.Should().Contain("(0)── nor_conv_3x3 ──►(1)╌╌ none ╌╌▻(2)── skip_connect ──►(3)");

        var rows = File.ReadAllLines(csv);
        rows[0].Should().Be(string.Join(",", RaceReport.CsvColumns));
        rows.Should().HaveCount(4);
        rows[2]
            .Should()
            .StartWith(
                "beta,0,0,|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|,ok,0.74,0.5,,12345,4500000,,,,2.5,false,,"
            ); // latency_ms, latency_ms_b64 and objective empty
        rows[3].Should().Contain(",failed,").And.Contain("\"out of memory, \"\"twice\"\"\"");
    }

    [Fact]
    public void The_report_draws_the_best_architectures_as_the_races_space_draws_them()
    {
        var story = new RaceStory("alpha").Trial("alpha", 0.74, RaceStory.ConvCell);
        // The race's space's Draw (the console passes its provider's): its lines replace NB201's diagram.
        var (markdown, _) = RaceReport.Save(
            Path.Combine(_folder, "race-drawn"),
            story.Snapshot(),
            story.Tracker.AllTrials(),
            null,
            draw: (architecture, width) => [$"drawn {architecture.Choices.Count} choices in {width}", "second line"]
        );
        string md = File.ReadAllText(markdown);
        md.Should().Contain("```text\ndrawn 6 choices in 100\nsecond line\n```".ReplaceLineEndings());
        md.Should().NotContain("──►", "the space's picture, not NB201's diagram");

        // A drawing that throws leaves the key alone: a picture is not worth losing the report over.
        (markdown, _) = RaceReport.Save(
            Path.Combine(_folder, "race-undrawn"),
            story.Snapshot(),
            story.Tracker.AllTrials(),
            null,
            draw: (_, _) => throw new InvalidOperationException("no picture")
        );
        md = File.ReadAllText(markdown);
        md.Should().Contain($"`{RaceStory.ConvCell.Key}`").And.NotContain("```text");
    }

    [Fact]
    public void A_finished_races_report_has_the_statistics_nas_race_prints()
    {
        // The statistics the console gets when the race has finished: fed the race's trials, as the shared race set-up does.
        var statistics = new RaceStatistics();
        var test = new Dictionary<string, double>();
        for (int heat = 0; heat < 6; heat++)
            foreach (
                var (contestant, accuracy) in new[] { ("alpha", 0.60 + heat * 0.01), ("beta", 0.70 + heat * 0.01) }
            )
            {
                var cell = RaceStory.Space.Sample(new Random(heat * 7 + contestant.Length));
                test[cell.Key] = accuracy - 0.02;
                statistics.OnEvent(
                    new TrialFinished(
                        contestant,
                        heat,
                        new Trial
                        {
                            Index = 0,
                            Architecture = cell,
                            Status = TrialStatus.Ok,
                            Metrics = new Metrics { ValidationAccuracy = accuracy },
                            CostSeconds = 1,
                        },
                        accuracy
                    )
                );
            }
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("alpha"), ContestantSpec.Parse("beta")],
            Budget = 1,
            Heats = 6,
        };
        string text = statistics.Describe(settings, key => test.TryGetValue(key, out double t) ? t : null);

        var story = new RaceStory("alpha", "beta").Trial("alpha", 0.61);
        var (markdown, _) = RaceReport.Save(
            Path.Combine(_folder, "race-2"),
            story.Snapshot(),
            story.Tracker.AllTrials(),
            null,
            text
        );
        string md = File.ReadAllText(markdown);
        md.Should()
            .Contain("## Statistics over heats")
            .And.Contain("anytime standings")
            .And.Contain("alpha − beta: mean difference -0.1000, p = 0.031 over 6 heats (significant at 0.05)");
        var (withoutStatistics, _) = RaceReport.Save(
            Path.Combine(_folder, "race-3"),
            story.Snapshot(),
            story.Tracker.AllTrials(),
            null
        );
        File.ReadAllText(withoutStatistics)
            .Should()
            .NotContain("## Statistics", "a race still running has no statistics over heats yet");
    }
}
