namespace Nas.Sandbox.Tui.Tests;

/// <summary>The leaderboard a user reads: ranked by accuracy, leader starred, following every new snapshot.</summary>
public class LeaderboardTests
{
    private static int RowOf(string[] lines, string label) =>
        Array.FindIndex(lines, l => l.Contains(label) && l.Contains("built-in"));

    [Fact]
    public void Contestants_are_ranked_by_accuracy_and_the_ranking_follows_new_snapshots()
    {
        var story = new RaceStory("alpha", "beta").Trial("alpha", 0.61).Trial("beta", 0.74);
        using var screen = new ScreenHarness(new RecordingCommands());
        screen.Render(story.Snapshot());
        var lines = screen.Lines();
        RowOf(lines, "beta").Should().BeLessThan(RowOf(lines, "alpha"));
        lines[RowOf(lines, "beta")].Should().Contain("★ 1 beta").And.Contain("0.7400").And.Contain("1/16");
        lines[RowOf(lines, "alpha")].Should().Contain("2 alpha").And.NotContain("★");

        story.Trial("alpha", 0.80);
        screen.Render(story.Snapshot());
        lines = screen.Lines();
        RowOf(lines, "alpha").Should().BeLessThan(RowOf(lines, "beta"));
        lines[RowOf(lines, "alpha")].Should().Contain("★ 1 alpha").And.Contain("0.8000").And.Contain("2/16");
    }

    [Fact]
    public void Failures_count_in_the_leaderboard_and_show_in_red_in_the_trial_log()
    {
        var story = new RaceStory("alpha")
            .Trial("alpha", 0.5)
            .Trial("alpha", null, status: Abstractions.TrialStatus.Diverged, message: "loss was NaN");
        using var screen = new ScreenHarness(new RecordingCommands());
        screen.Render(story.Snapshot());
        var lines = screen.Lines();
        lines[RowOf(lines, "alpha")].Should().MatchRegex(@"2/16\s+1\s");
        int failure = Array.FindIndex(lines, l => l.Contains("✗ diverged alpha #2: loss was NaN"));
        failure.Should().BePositive();
        Terminal.Gui.Drawing.Color red = Terminal.Gui.Drawing.Color.BrightRed;
        screen.ForegroundAt(failure, lines[failure].IndexOf('✗')).Should().Be(red);
    }

    [Fact]
    public void Arrow_keys_select_a_contestant_for_the_detail_panel()
    {
        var story = new RaceStory("alpha", "beta").Trial("alpha", 0.61).Trial("beta", 0.74);
        using var screen = new ScreenHarness(new RecordingCommands());
        screen.Render(story.Snapshot());
        screen.Text().Should().Contain("beta · built-in 1.0.0", "the leader is shown until the user picks another");
        screen.Press(Terminal.Gui.Input.Key.CursorDown);
        screen.Render(story.Snapshot());
        var text = screen.Text();
        text.Should().Contain("alpha · built-in 1.0.0");
        screen.Lines().Single(l => l.Contains('▶')).Should().Contain("alpha");
    }
}
