using Terminal.Gui.Input;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>Everything is reachable from the keyboard, and nothing destructive happens on one stray key.</summary>
public class KeyTests
{
    private readonly RecordingCommands _commands = new();

    private ScreenHarness Screen()
    {
        var screen = new ScreenHarness(_commands);
        screen.Render(new RaceStory("alpha", "beta").Trial("alpha", 0.6).Trial("beta", 0.7).Snapshot());
        return screen;
    }

    [Fact]
    public void Pause_step_report_and_quit_keys_send_their_commands()
    {
        using var screen = Screen();
        screen.Press(Key.Space, Key.N, Key.P, Key.W, Key.Q);
        _commands.Sent.Should().Equal("pause", "step", "pause", "report", "quit");
        screen.Press(Key.Q.WithCtrl);
        _commands.Sent.Last().Should().Be("quit");
    }

    [Fact]
    public void Saving_a_report_says_where_it_went_in_the_status_line()
    {
        using var screen = Screen();
        screen.Press(Key.W);
        screen.Lines()[^2].Should().Contain("report saved to runs/x.md");
    }

    [Fact]
    public void Adding_a_contestant_asks_for_its_name_and_sends_it_on_enter()
    {
        using var screen = Screen();
        screen.Press(Key.A);
        screen.Text().Should().Contain("add contestant (name[:knob=value,...] or path.csx):");
        screen.Type("scripts/greedy-local-search.csx");
        screen.Press(Key.Enter);
        _commands.Sent.Should().Equal("add scripts/greedy-local-search.csx");
        screen.Text().Should().NotContain("add contestant (");
    }

    [Fact]
    public void Escape_cancels_a_question_and_never_quits()
    {
        using var screen = Screen();
        screen.Press(Key.A);
        screen.Type("q");
        screen.Press(Key.Esc, Key.Esc);
        _commands.Sent.Should().BeEmpty("q typed into the prompt is text, and Esc only closes the prompt");
        screen.Text().Should().Contain("q quit");
    }

    [Fact]
    public void Removing_and_restarting_need_a_yes()
    {
        using var screen = Screen();
        screen.Press(Key.D);
        screen.Text().Should().Contain("remove beta from the race? (y/n)");
        screen.Press(Key.N);
        screen.Press(Key.R);
        screen.Text().Should().Contain("restart heat 1, discarding its trials? (y/n)");
        screen.Press(Key.Esc);
        _commands.Sent.Should().BeEmpty();

        screen.Press(Key.CursorDown, Key.Delete, Key.Y, Key.R, Key.Y);
        _commands.Sent.Should().Equal("remove alpha", "restart");
    }

    [Fact]
    public void Question_mark_shows_every_key()
    {
        using var screen = Screen();
        screen.Press((Key)'?');
        var text = screen.Text();
        foreach (var (keys, _) in Views.KeyHelpView.Keys.Where(k => k.Keys.Length > 0))
            text.Should().Contain(keys);
        screen.Press((Key)'?');
        screen.Text().Should().Contain("Trials");
    }

    [Fact]
    public void After_the_race_the_steering_keys_say_it_is_over_instead_of_asking()
    {
        using var screen = new ScreenHarness(_commands);
        var story = new RaceStory("alpha").Trial("alpha", 0.6);
        story.Tracker.OnEvent(
            new Nas.Sandbox.Core.Racing.RaceFinished(
                new Nas.Sandbox.Core.Racing.RaceSummary(
                    new Nas.Sandbox.Core.Racing.RaceSettings
                    {
                        Contestants = [Nas.Sandbox.Core.Racing.ContestantSpec.Parse("alpha")],
                        Budget = 16,
                    },
                    [],
                    1
                )
            )
        );
        screen.Render(story.Snapshot());
        screen.Press(Key.R, Key.A, Key.Space);
        _commands.Sent.Should().BeEmpty();
        screen.Lines()[^2].Should().Contain("the race is over: w saves a report, q quits");
        screen.Press(Key.W);
        _commands.Sent.Should().Equal("report");
    }
}
