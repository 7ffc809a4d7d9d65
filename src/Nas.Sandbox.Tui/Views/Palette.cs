using Terminal.Gui.Drawing;

namespace Nas.Sandbox.Tui.Views;

/// <summary>The screen's colours: one per contestant series, and the meaning colours (leader, failure, swap).</summary>
internal static class Palette
{
    public static readonly Color Leader = Color.BrightYellow;
    public static readonly Color Failure = Color.BrightRed;
    public static readonly Color Swap = Color.BrightCyan;
    public static readonly Color Warning = Color.Yellow;
    public static readonly Color Muted = Color.DarkGray;

    private static readonly Color[] SeriesColors =
    [
        Color.BrightGreen,
        Color.BrightMagenta,
        Color.BrightCyan,
        Color.BrightYellow,
        Color.BrightBlue,
        Color.BrightRed,
        Color.White,
        Color.Green,
    ];

    /// <summary>Marks that tell series apart without colour too.</summary>
    private static readonly char[] SeriesGlyphs = ['●', '■', '▲', '◆', '✚', '✱', '○', '□'];

    public static Color SeriesColor(int index) => SeriesColors[index % SeriesColors.Length];

    public static char SeriesGlyph(int index) => SeriesGlyphs[index % SeriesGlyphs.Length];
}
