using Nas.Sandbox.Abstractions;
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
        var story = new RaceStory("alpha", "beta").Trial("alpha", 0.61).Trial("beta", 0.74, RaceStory.ConvCell)
            .Trial("alpha", null, status: TrialStatus.Failed, message: "out of memory, \"twice\"");
        var (markdown, csv) = RaceReport.Save(Path.Combine(_folder, "race-1"), story.Snapshot(), story.Tracker.AllTrials(), "runs/race-1.jsonl");

        markdown.Should().EndWith("race-1.report.md");
        string md = File.ReadAllText(markdown);
        md.Should().StartWith("# Race report: beta vs alpha");
        md.Should().Contain("| 1 | beta | built-in | 1.0.0 | 0.7400 |").And.Contain("| 2 | alpha | built-in | 1.0.0 | 0.6100 |");
        md.Should().Contain("- journal: `runs/race-1.jsonl`");
        md.Should().Contain("(0)── nor_conv_3x3 ──►(1)╌╌ none ╌╌▻(2)── skip_connect ──►(3)");

        var rows = File.ReadAllLines(csv);
        rows[0].Should().Be(string.Join(",", RaceReport.CsvColumns));
        rows.Should().HaveCount(4);
        rows[2].Should().StartWith("beta,0,0,|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|,ok,0.74,0.5,,12345,4500000,,,,2.5,false,,"); // latency_ms, latency_ms_b64 and objective empty
        rows[3].Should().Contain(",failed,").And.Contain("\"out of memory, \"\"twice\"\"\"");
    }
}
