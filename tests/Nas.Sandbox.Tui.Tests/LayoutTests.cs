using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>The screen works at 80×24, uses the room of a larger terminal, and redraws on resize.</summary>
public class LayoutTests
{
    private static RaceSnapshot Race() =>
        new RaceStory("random-search", "regularized-evolution")
            .Trial("random-search", 0.71)
            .Trial("regularized-evolution", 0.74, RaceStory.ConvCell)
            .Trial("random-search", 0.75)
            .Trial("regularized-evolution", 0.77, RaceStory.ConvCell)
            .Snapshot();

    [Fact]
    public void At_80_by_24_every_panel_shows()
    {
        using var screen = new ScreenHarness(new RecordingCommands(), 80, 24);
        screen.Render(Race());
        var lines = screen.Lines();
        lines.Should().HaveCount(25).And.Subject.Take(24).Should().OnlyContain(l => l.Length == 80);
        string text = string.Join('\n', lines);
        text.Should()
            .Contain("Leaderboard")
            .And.Contain("Best so far vs evaluations")
            .And.Contain("Trials")
            .And.Contain("regularized-evolution · built-in 1.0.0")
            .And.Contain("heat 1/1")
            .And.Contain("q quit");
        text.Should().Contain("regularized-e").And.Contain("0.7700").And.Contain("0.7500");
        lines[23].Should().StartWith(" running │ heat 1/1 │ 13% 4/32");
    }

    [Fact]
    public void A_resize_redraws_with_the_room_of_the_larger_terminal()
    {
        using var screen = new ScreenHarness(new RecordingCommands(), 80, 24);
        screen.Render(Race());
        screen.Text().Should().NotContain("space pause  n step");
        screen.Resize(200, 50);
        screen.Render(Race());
        var lines = screen.Lines();
        lines.Take(50).Should().OnlyContain(l => l.Length == 200);
        lines[49].Should().Contain("space pause  n step  a add  d remove");
        lines
            .Should()
            .Contain(
                l => l.Contains("version") && l.Contains("rating"),
                "the version column returns when there is room"
            );
        lines
            .Should()
            .Contain(l => l.Contains("best 0.7700 at evaluation 2"), "the metrics sit beside the cell drawing");
    }

    [Fact]
    public void The_chart_plots_each_contestants_best_so_far_with_a_legend()
    {
        using var screen = new ScreenHarness(new RecordingCommands(), 120, 40);
        screen.Render(Race());
        var lines = screen.Lines();
        lines
            .Should()
            .Contain(l => l.Contains("● random-search 0.7500") && l.Contains("■ regularized-evolution 0.7700"));
        lines.Should().Contain(l => l.Contains("0.7700┤"), "the top of the axis is the best accuracy so far");
        lines.Should().Contain(l => l.Contains("0.7100┤"), "the bottom is the lowest first result");
        lines.Should().Contain(l => l.Contains("└0") && l.Contains("16 evals"), "the x axis runs to the budget");
        screen.Press(Terminal.Gui.Input.Key.X);
        screen.Text().Should().Contain("Best so far vs seconds");
    }
}
