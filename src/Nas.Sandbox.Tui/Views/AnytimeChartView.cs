using Nas.Sandbox.Core.Racing.Tracking;
using Terminal.Gui.Drawing;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// Best-so-far validation accuracy of each contestant in the current heat, against evaluations (or seconds, toggled
/// with x): a staircase per contestant, its mark (● ■ ▲ …) where it improved, and a legend on top.
/// </summary>
internal sealed class AnytimeChartView : CanvasView
{
    private const int AxisWidth = 7; // "0.7670┤"
    private IReadOnlyList<ContestantStanding> _contestants = [];
    private double? _xLimit;

    public bool BySeconds { get; set; }

    public void Show(RaceSnapshot snapshot)
    {
        // Legend and series in the order contestants joined: a contestant keeps its mark and colour all race long.
        _contestants = snapshot.Contestants.OrderBy(c => c.Entry).ToArray();
        _xLimit = BySeconds ? snapshot.Settings?.BudgetSeconds : snapshot.Settings?.Budget;
        SetNeedsDraw();
    }

    protected override void Draw()
    {
        int legendRows = DrawLegend();
        int plotTop = legendRows,
            plotRows = Rows - legendRows - 1,
            plotWidth = Columns - AxisWidth;
        var series = _contestants.Where(c => c.Curve.Count > 0).ToArray();
        if (plotRows < 2 || plotWidth < 8)
            return;
        if (series.Length == 0)
        {
            Put(AxisWidth, plotTop + plotRows / 2, "no finished evaluation yet", Palette.Muted);
            return;
        }

        double lo = series.Min(c => c.Curve[0].Best),
            hi = series.Max(c => c.Curve[^1].Best);
        if (hi - lo < 0.005)
            (lo, hi) = ((lo + hi) / 2 - 0.0025, (lo + hi) / 2 + 0.0025);
        double xMax = Math.Max(1, _xLimit ?? 0);
        foreach (var c in series)
            xMax = Math.Max(xMax, Spent(c));

        int Row(double best) => plotTop + (int)Math.Round((hi - best) / (hi - lo) * (plotRows - 1));
        for (int r = 0; r < plotRows; r++)
        {
            string label =
                r == 0 ? TerminalText.Accuracy(hi)
                : r == plotRows - 1 ? TerminalText.Accuracy(lo)
                : r == plotRows / 2 && plotRows >= 5 ? TerminalText.Accuracy(hi - (hi - lo) * r / (plotRows - 1))
                : "";
            Put(
                0,
                plotTop + r,
                TerminalText.Right(label, AxisWidth - 1) + (label.Length > 0 ? "┤" : "│"),
                Palette.Muted
            );
        }
        // The x axis carries its own scale: 0 at the origin, the middle, and the end with its unit.
        string right = Format(xMax) + (BySeconds ? " s" : " evals");
        var axis = ("└0" + new string('─', plotWidth - 1)).ToCharArray();
        void Label(int at, string text)
        {
            for (int i = 0; i < text.Length && at + i < axis.Length; i++)
                axis[at + i] = text[i];
        }
        if (plotWidth > right.Length + 12)
            Label(1 + plotWidth / 2 - 1, Format(xMax / 2));
        Label(axis.Length - right.Length, right);
        Put(AxisWidth - 1, plotTop + plotRows, new string(axis), Palette.Muted);

        // The leader last, so its line is on top where lines cross.
        foreach (var c in series.OrderByDescending(c => c.Rank))
        {
            int index = c.Entry;
            var color = Palette.SeriesColor(index);
            double spent = Spent(c);
            for (int col = 0; col < plotWidth; col++)
            {
                double x = (col + 1) * xMax / plotWidth;
                if (x > spent + xMax / plotWidth)
                    break;
                var point = c.Curve.LastOrDefault(p => Position(p) <= x);
                if (point is null)
                    continue;
                bool improvedHere = c.Curve.Any(p => Position(p) <= x && Position(p) > x - xMax / plotWidth);
                Put(
                    AxisWidth + col,
                    Row(point.Best),
                    improvedHere ? Palette.SeriesGlyph(index).ToString() : "─",
                    color
                );
            }
        }
    }

    /// <summary>One mark and label per contestant, with its best when there is room; labels shortened to fit the rows.</summary>
    private int DrawLegend()
    {
        if (_contestants.Count == 0)
            return 0;
        int rows = Rows >= 12 ? 2 : 1;
        bool withBest = _contestants.Sum(c => TerminalText.Name(c.Label).Length + 11) - 2 <= Columns * rows;
        int perRow = (int)Math.Ceiling(_contestants.Count / (double)rows);
        int labelWidth = Math.Max(3, Columns / perRow - (withBest ? 11 : 4));
        int row = 0,
            x = 0;
        foreach (var c in _contestants)
        {
            string name = TerminalText.Name(c.Label);
            string label = name.Length > labelWidth ? TerminalText.Fit(name, labelWidth) : name;
            string item =
                $"{Palette.SeriesGlyph(c.Entry)} {label}" + (withBest ? $" {TerminalText.Accuracy(c.Best)}" : "");
            if (x > 0 && x + item.Length > Columns)
            {
                row++;
                x = 0;
            }
            if (row >= rows)
                break;
            Put(x, row, item, Palette.SeriesColor(c.Entry));
            x += item.Length + 2;
        }
        return Math.Min(row, rows - 1) + 1;
    }

    private double Spent(ContestantStanding c) => BySeconds ? c.Seconds : c.Used;

    private double Position(CurvePoint p) => BySeconds ? p.Seconds : p.Evaluation;

    private static string Format(double x) =>
        x >= 100 ? x.ToString("0", TerminalText.Invariant) : x.ToString("0.#", TerminalText.Invariant);
}
