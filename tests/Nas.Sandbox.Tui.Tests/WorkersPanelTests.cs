using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>
/// A race with several workers: the detail panel lists the selected contestant's workers, what each is evaluating and
/// for how long on its worker clock, and the idle ones.
/// </summary>
public class WorkersPanelTests
{
    [Fact]
    public void The_detail_panel_shows_each_worker_busy_or_idle_and_follows_trials_coming_back()
    {
        var tracker = new RaceTracker(new RaceControl());
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("alpha")],
            Budget = 16,
            Workers = 3,
            Estimator = "tabular",
        };
        tracker.OnEvent(
            new RaceStarted(
                settings,
                [
                    new ContestantInfo(
                        "alpha",
                        "alpha",
                        StrategySource.BuiltInPack,
                        "x",
                        "1.0.0",
                        new Dictionary<string, string>()
                    ),
                ],
                "tabular",
                ""
            )
        );
        tracker.OnEvent(new HeatStarted(0, 42));
        var first = RaceStory.ConvCell;
        var second = RaceStory.Cell("skip_connect", "none", "none", "none", "none", "nor_conv_3x3");
        tracker.OnEvent(new TrialStarted("alpha", 0, 0, first, 0));
        tracker.OnEvent(new TrialStarted("alpha", 0, 1, second, 0));

        using var screen = new ScreenHarness(new RecordingCommands());
        screen.Render(tracker.Snapshot());
        var text = screen.Text();
        text.Should()
            .Contain("workers: 2 of 3 busy")
            .And.Contain("#1 evaluation 1")
            .And.Contain("#2 evaluation 2")
            .And.Contain("#3 idle");
        text.Should().Contain(CompactArchitecture.Format(first)).And.Contain(CompactArchitecture.Format(second));

        // The second comes back after 4 s on the clock: the first has run for 4 s, the others are idle.
        var trial = new Trial
        {
            Index = 1,
            Architecture = second,
            Status = TrialStatus.Ok,
            Metrics = new Metrics { ValidationAccuracy = 0.6 },
            CostSeconds = 4,
        };
        tracker.OnEvent(new TrialFinished("alpha", 0, trial, 0.6, 0, 4));
        screen.Render(tracker.Snapshot());
        text = screen.Text();
        text.Should().Contain("workers: 1 of 3 busy").And.Contain("#1 evaluation 1 for 4").And.Contain("#2-#3 idle");
    }

    [Fact]
    public void With_shared_worker_processes_the_panel_shows_the_whole_pool_and_whose_trial_each_worker_runs()
    {
        var tracker = new RaceTracker(new RaceControl());
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("alpha"), ContestantSpec.Parse("beta")],
            Budget = 16,
            Workers = 2,
            Estimator = "train",
        };
        ContestantInfo Info(string label) =>
            new(label, label, StrategySource.BuiltInPack, "x", "1.0.0", new Dictionary<string, string>());
        tracker.OnEvent(new RaceStarted(settings, [Info("alpha"), Info("beta")], "train", ""));
        tracker.OnEvent(new HeatStarted(0, 42));
        tracker.OnEvent(new TrialStarted("alpha", 0, 0, RaceStory.ConvCell, 0));

        using var screen = new ScreenHarness(new RecordingCommands());
        screen.Render(tracker.Snapshot());
        screen
            .Text()
            .Should()
            .Contain("shared workers: 1 of 2 busy")
            .And.Contain("#1 alpha evaluation 1")
            .And.Contain("#2 idle");

        // Beta's trial takes the other worker: the panel shows both, and whose each is.
        tracker.OnEvent(new TrialStarted("beta", 0, 0, RaceStory.ConvCell, 0.1));
        screen.Render(tracker.Snapshot());
        screen
            .Text()
            .Should()
            .Contain("shared workers: 2 of 2 busy")
            .And.Contain("alpha evaluation 1")
            .And.Contain("beta evaluation 1");
    }
}
