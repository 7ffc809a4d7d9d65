using Nas.Sandbox.Core.Racing.Tracking;
using Nas.Sandbox.Core.Spaces;
using Terminal.Gui.Drawing;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// The selected contestant: its best architecture drawn as the cell (nodes, edges and their operations), the metrics
/// of that trial, its knobs and its swap history. Metrics go beside the drawing when there is room, else below it.
/// </summary>
internal sealed class ContestantDetailView : CanvasView
{
    private const int SideMinWidth = 28;
    private ContestantStanding? _contestant;

    public void Show(ContestantStanding? contestant)
    {
        _contestant = contestant;
        Title = contestant is null ? "Contestant" : $"{contestant.Label} · {contestant.Source} {contestant.Version}";
        SetNeedsDraw();
    }

    protected override void Draw()
    {
        if (Columns < 1 || Rows < 1) return;
        if (_contestant is not { } c) { PutRow(0, "no contestant selected (↑/↓ in the leaderboard)", Palette.Muted); return; }
        var best = c.BestTrial;
        IReadOnlyList<string> picture = best is { Architecture.Choices.Count: Nb201Space.EdgeCount }
            ? Nb201CellDiagram.Draw(best.Architecture.Choices, Columns)
            : [best is null ? "no successful evaluation yet in this heat" : best.Architecture.Key];
        var facts = Facts(c).ToList();
        int pictureWidth = picture.Max(l => l.Length);
        bool beside = Columns - pictureWidth - 2 >= SideMinWidth;
        for (int i = 0; i < picture.Count; i++) Put(0, i, picture[i], best is null ? Palette.Muted : null);
        int x = beside ? pictureWidth + 2 : 0, y = beside ? 0 : picture.Count;
        foreach (var (text, color) in facts)
            foreach (string line in TerminalText.Wrap(text, Columns - x))
                Put(x, y++, line, color);
    }

    private static IEnumerable<(string, Color?)> Facts(ContestantStanding c)
    {
        if (c.BestTrial is { } t)
        {
            var m = t.Metrics;
            yield return ($"best {TerminalText.Accuracy(m.ValidationAccuracy)} at evaluation {t.Index + 1}" +
                          (m.ValidationLoss is { } loss ? $" · loss {loss.ToString("0.000", TerminalText.Invariant)}" : "") +
                          $" · {TerminalText.Count(m.Parameters)} params · {TerminalText.Count(m.Flops)} FLOPs · {TerminalText.Seconds(t.CostSeconds)}", Palette.Leader);
            yield return (t.Architecture.Key, Palette.Muted);
        }
        string knobs = c.Knobs.Count == 0 ? "default knobs" : "knobs " + string.Join(",", c.Knobs.Select(k => $"{k.Key}={k.Value}"));
        yield return ($"{c.Strategy} · {knobs} · {c.Used}{(c.Budget is { } b ? "/" + b : "")} evaluations · {c.Failures} failed", null);
        if (c.Swaps.Count == 0) yield return ("no swaps", Palette.Muted);
        foreach (string swap in c.Swaps.TakeLast(3)) yield return ("⇄ " + swap, Palette.Swap);
    }
}
