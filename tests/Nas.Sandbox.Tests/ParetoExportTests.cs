using Nas.Sandbox.Cli;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tests;

/// <summary>A Pareto race's summary, report, CSV and PNG from hand-made fronts.</summary>
public sealed class ParetoExportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-pareto-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static RaceSummary Summary()
    {
        var objective = RaceObjective.Parse("pareto:accuracy,params");
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("a"), ContestantSpec.Parse("b")],
            Budget = 3,
            Heats = 2,
            Objective = objective,
        };
        ContestantInfo Info(string label) =>
            new(label, label, "built-in pack", "test", "1.0.0", new Dictionary<string, string>());
        // Reference (accuracy 0, 2 M params). a: heat 0 front {(0.5, 1 M)}, normalised (0.5, 0.5): 0.25; heat 1 adds
        // (0.25, 0 M), normalised (0.25, 1): 0.25 × 0.5 above the first box, 0.375. b: heat 0 {(0.2, 1.5 M)}: 0.2 × 0.25
        // = 0.05; heat 1 has no front: 0.
        var heats = new IReadOnlyList<HeatStanding>[]
        {
            [
                new HeatStanding("a", 3, 0, 3, 0.5, "A1", 0.5, [new ParetoPoint(0, "A1", [0.5, -1.0])]),
                new HeatStanding("b", 3, 0, 3, 0.2, "B1", 0.2, [new ParetoPoint(2, "B1", [0.2, -1.5])]),
            ],
            [
                new HeatStanding(
                    "a",
                    3,
                    0,
                    3,
                    0.5,
                    "A1",
                    0.5,
                    [new ParetoPoint(1, "A1", [0.5, -1.0]), new ParetoPoint(2, "A2", [0.25, 0.0])]
                ),
                new HeatStanding("b", 3, 3, 3, null, null, null, null),
            ],
        };
        var reference = ParetoReference.For(objective, null, _ => 2.0, "worst seen in the race");
        return RaceSummary.From(settings, [Info("a"), Info("b")], heats, 1.0, null, reference);
    }

    [Fact]
    public void The_summary_ranks_by_mean_hypervolume_over_heats()
    {
        var summary = Summary();
        summary.Contestants.Select(c => c.Label).Should().Equal("a", "b");
        summary.Contestants[0].Hypervolume.Should().BeApproximately((0.25 + 0.375) / 2, 1e-12);
        summary.Contestants[0].HypervolumeStd.Should().BeApproximately(0.0625, 1e-12);
        summary.Contestants[1].Hypervolume.Should().BeApproximately(0.025, 1e-12, "a heat without a front counts as 0");
    }

    [Fact]
    public void The_report_and_the_csv_state_the_reference_and_every_front()
    {
        var summary = Summary();
        string md = RaceReport.Markdown(new RaceSnapshot { Settings = summary.Settings, Summary = summary }, null);
        md.Should()
            .Contain("- objective: `pareto:accuracy,params` (Pareto; the final standings rank by hypervolume)")
            .And.Contain("## Final standings by objective: `pareto:accuracy,params`")
            .And.Contain("Reference point: accuracy 0, params 2 M (worst seen in the race)")
            .And.Contain("| 1 | a | 0.3125 ± 0.0625 | 0.5000 | 6 |");

        var csv = ParetoFronts
            .Csv(summary.Settings.Objective, ParetoFronts.Of(summary))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        csv.Should()
            .Equal(
                "contestant,front,heat,index,arch,accuracy,params_m",
                "a,0,0,0,A1,0.5,1",
                "a,1,1,2,A2,0.25,0",
                "a,1,1,1,A1,0.5,1",
                "a,pooled,1,2,A2,0.25,0",
                "a,pooled,0,0,A1,0.5,1",
                "b,0,0,2,B1,0.2,1.5",
                "b,pooled,0,2,B1,0.2,1.5"
            );
    }

    [Fact]
    public void The_plot_is_a_png_of_the_requested_size()
    {
        var summary = Summary();
        string path = Path.Combine(_folder, "fronts.png");
        File.WriteAllBytes(path, ParetoPlot.Png(summary, ParetoFronts.Of(summary), 400, 300));
        ParetoCliTests.PngSize(path).Should().Be((400, 300));
        new FileInfo(path)
            .Length.Should()
            .BeGreaterThan(2000, "a plot with axes, points and a legend is not an empty image");
    }
}
