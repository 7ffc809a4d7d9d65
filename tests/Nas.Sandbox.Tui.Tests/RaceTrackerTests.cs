using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>The snapshots views render: ranks over heats, progress, curves, restarts.</summary>
public class RaceTrackerTests
{
    [Fact]
    public void Progress_counts_finished_heats_and_the_spending_of_the_current_one()
    {
        var tracker = new RaceTracker();
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("a")],
            Budget = 4,
            Heats = 2,
        };
        var info = new ContestantInfo("a", "a", "built-in pack", "x", "1", new Dictionary<string, string>());
        tracker.OnEvent(new RaceStarted(settings, [info], "formula", ""));
        tracker.OnEvent(new HeatStarted(0, 1));
        for (int i = 0; i < 4; i++)
            tracker.OnEvent(new TrialFinished("a", 0, Trial(i, 0.5 + i / 10.0), null));
        tracker.Snapshot().Progress.Should().Be(0.5);
        tracker.OnEvent(new HeatFinished(0, [new HeatStanding("a", 4, 0, 4, 0.8, null)]));
        tracker
            .Snapshot()
            .Should()
            .Match<RaceSnapshot>(s => s.Progress == 0.5 && s.EvaluationsDone == 4 && s.HeatsFinished == 1);
        tracker.OnEvent(new HeatStarted(1, 2));
        tracker.OnEvent(new TrialFinished("a", 1, Trial(0, 0.6), null));
        var snapshot = tracker.Snapshot();
        snapshot.Progress.Should().Be(0.625);
        snapshot.EvaluationsDone.Should().Be(5);
        snapshot.EvaluationsPlanned.Should().Be(8);
        var a = snapshot.Contestants.Single();
        a.Best.Should().Be(0.6, "best is this heat's");
        a.MeanBest.Should().Be(0.8, "mean is over finished heats");
        a.Curve.Should().Equal(new CurvePoint(1, 1, 0.6));
    }

    [Fact]
    public void The_curve_has_one_point_per_improvement_and_failures_do_not_move_it()
    {
        var story = new RaceStory("a")
            .Trial("a", 0.5)
            .Trial("a", 0.4)
            .Trial("a", null, status: TrialStatus.Failed, message: "x")
            .Trial("a", 0.7);
        story
            .Snapshot()
            .Contestants.Single()
            .Curve.Select(p => (p.Evaluation, p.Best))
            .Should()
            .Equal((1, 0.5), (4, 0.7));
    }

    [Fact]
    public void A_restarted_heat_starts_from_nothing_and_its_trials_leave_the_report()
    {
        var story = new RaceStory("a").Trial("a", 0.5).Trial("a", 0.6);
        story.Tracker.OnEvent(new HeatRestarted(0, 42));
        var snapshot = story.Snapshot();
        snapshot
            .Contestants.Single()
            .Should()
            .Match<ContestantStanding>(c => c.Used == 0 && c.Best == null && c.Curve.Count == 0);
        story.Tracker.AllTrials().Should().BeEmpty();
        snapshot.Notices.Should().Contain(n => n.Text == "heat 1 restarted");
    }

    [Fact]
    public void Swaps_are_kept_per_contestant_and_announced()
    {
        var story = new RaceStory("a").Trial("a", 0.5);
        story.Tracker.OnEvent(new ContestantSwapped("a", 0, "1.0.0", "1.0.1", 1, 3.2, "new build"));
        var snapshot = story.Snapshot();
        var a = snapshot.Contestants.Single();
        a.Version.Should().Be("1.0.1");
        a.Swaps.Should().ContainSingle().Which.Should().Contain("1.0.0 → 1.0.1").And.Contain("1 trials replayed");
        snapshot.Notices.Should().Contain(n => n.Kind == NoticeKind.Swap && n.Text.Contains("a swapped 1.0.0 → 1.0.1"));
    }

    private static Trial Trial(int index, double accuracy) =>
        new()
        {
            Index = index,
            Architecture = RaceStory.ConvCell,
            Status = TrialStatus.Ok,
            Metrics = new Metrics { ValidationAccuracy = accuracy },
            CostSeconds = 1,
        };
}
