namespace Nas.Sandbox.Tui.Tests;

/// <summary>The detail panel draws the selected contestant's best architecture as the cell it is.</summary>
public class CellDrawingTests
{
    [Fact]
    public void The_best_architecture_is_drawn_as_nodes_and_edges_with_operation_names()
    {
        // |nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|
        var story = new RaceStory("alpha")
            .Trial("alpha", 0.5)
            .Trial("alpha", 0.9, RaceStory.ConvCell)
            .Trial("alpha", 0.7);
        using var screen = new ScreenHarness(new RecordingCommands(), 100, 30);
        screen.Render(story.Snapshot());
        string[] expected =
        [
            "┌────────────────────── avg_pool_3x3 ──────────────────────┐",
            "│ ┌────────── skip_connect ──────────┐                     │",
            "│ │                                  ▼                     ▼",
            "(0)── nor_conv_3x3 ──►(1)╌╌ none ╌╌▻(2)── skip_connect ──►(3)",
            "                       │                                   ▲",
            "                       └────────── nor_conv_1x1 ───────────┘",
        ];
        var lines = screen.Lines();
        int top = Array.FindIndex(lines, l => l.Contains(expected[0]));
        top.Should().BePositive();
        int column = lines[top].IndexOf(expected[0], StringComparison.Ordinal);
        for (int i = 0; i < expected.Length; i++)
            lines[top + i].Substring(column, expected[i].Length).Should().Be(expected[i]);
        string.Join('\n', lines)
            .Should()
            .Contain("best 0.9000 at evaluation 2")
            .And.Contain("12.3k params")
            .And.Contain("4.5M FLOPs");
    }
}
