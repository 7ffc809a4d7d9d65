using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>
/// The detail panel draws the best architecture as the race's space draws it (issue 22): nats-size as bars, macro as
/// one line per stage.
/// </summary>
public class SpaceDrawingTests
{
    /// <summary>Commands whose pictures come from a space provider, as the CLI's controller gets them.</summary>
    private sealed class SpaceCommands(ISpaceProvider space) : ITournamentCommands
    {
        public void TogglePause() { }

        public void SingleStep() { }

        public void Add(string contestant) { }

        public void Remove(string label) { }

        public void RestartHeat() { }

        public string SaveReport() => "";

        public void Quit() { }

        public IReadOnlyList<string> Draw(Architecture architecture, int maxWidth) =>
            space.Draw(architecture, maxWidth);
    }

    [Fact]
    public void A_nats_size_architecture_is_drawn_as_one_bar_per_layer()
    {
        var best = new NatsSizeSpace().Parse("64:8:16:24:32");
        var story = new RaceStory("alpha").Trial("alpha", 0.5).Trial("alpha", 0.9, best);
        using var screen = new ScreenHarness(new SpaceCommands(new NatsSizeSpaceProvider()), 100, 30);
        screen.Render(story.Snapshot());
        string text = screen.Text();
        text.Should().Contain("stem+cell 64 ████████").And.Contain("reduce     8 █").And.Contain("cell      32 ████");
        text.Should().Contain("best 0.9000 at evaluation 2");
    }

    [Fact]
    public void A_macro_architecture_is_drawn_as_one_line_per_stage()
    {
        var best = new MacroSpace().Parse(
            "mbconv_k3_e3-skip_connect-mbconv_k5_e6-mbconv_k7_e3|mbconv_k3_e6-mbconv_k3_e6-skip_connect-skip_connect|mbconv_k7_e6-skip_connect-mbconv_k5_e3-mbconv_k3_e3"
        );
        var story = new RaceStory("alpha").Trial("alpha", 0.5).Trial("alpha", 0.8, best);
        using var screen = new ScreenHarness(new SpaceCommands(new MacroSpaceProvider()), 100, 30);
        screen.Render(story.Snapshot());
        string text = screen.Text();
        text.Should()
            .Contain("stage 1  C   k3e3 ···· k5e6 k7e3")
            .And.Contain("stage 2 2C ↓ k3e6 k3e6 ···· ····")
            .And.Contain("stage 3 4C ↓ k7e6 ···· k5e3 k3e3");
        text.Should().Contain("best 0.8000 at evaluation 2");
        // The trial log: the stages in short codes, a skipped layer as a dot.
        CompactArchitecture.Format(best).Should().Be("k3e3 · k5e6 k7e3|k3e6 k3e6 · ·|k7e6 · k5e3 k3e3");
        text.Should().Contain("alpha #2           k3e3 · k5e6 k7…", "the log shows what fits of it");
    }
}
