namespace Nas.Sandbox.Tui.Views;

/// <summary>Every key of the screen (shown in place of the trial log while ? is toggled on).</summary>
internal sealed class KeyHelpView : CanvasView
{
    public static readonly IReadOnlyList<(string Keys, string Meaning)> Keys =
    [
        ("space, p", "pause / resume (a running trial finishes first)"),
        ("n", "step: pause, then one trial per press"),
        ("a", "add a contestant: name[:knob=value,...] or path.csx"),
        ("d, Delete", "remove the selected contestant"),
        ("r", "restart the current heat"),
        ("w, Ctrl+S", "save a report: Markdown summary + CSV of trials"),
        ("x", "chart against evaluations / seconds"),
        ("↑ ↓, j k, click", "select a contestant for the detail panel"),
        ("?", "this help"),
        ("q, Ctrl+Q", "quit (finished trials are in the journal)"),
        ("", CompactArchitecture.Legend),
    ];

    protected override void Draw()
    {
        int keyWidth = Keys.Max(k => k.Keys.Length) + 2;
        for (int i = 0; i < Keys.Count && i < Rows; i++)
        {
            Put(0, i, Keys[i].Keys, Palette.Swap);
            Put(keyWidth, i, Keys[i].Meaning);
        }
    }
}
