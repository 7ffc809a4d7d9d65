using Nas.Sandbox.Core.Racing.Tracking;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// Contestants in rank order, one row each: the leader is starred and bright, the selected contestant (shown in the
/// detail panel) is marked with ▶. Up/Down or a click selects; the selection follows the contestant, not the row.
/// </summary>
internal sealed class LeaderboardView : CanvasView
{
    private const int RankWidth = 5; // "▶★ 1 "
    private IReadOnlyList<ContestantStanding> _rows = [];
    private string _scoreTitle = "best";

    public LeaderboardView() => CanFocus = true;

    /// <summary>The selected contestant's label; null follows the leader.</summary>
    public string? SelectedLabel { get; private set; }

    public event Action? SelectionChanged;

    public ContestantStanding? Selected =>
        _rows.FirstOrDefault(r => r.Label == SelectedLabel) ?? (_rows.Count > 0 ? _rows[0] : null);

    /// <param name="scoreTitle">The score column's title: "best" (accuracy), "obj" (scalarised objective) or "hv" (hypervolume).</param>
    public void Show(IReadOnlyList<ContestantStanding> rows, string scoreTitle = "best")
    {
        _rows = rows;
        _scoreTitle = scoreTitle;
        if (SelectedLabel is not null && rows.All(r => r.Label != SelectedLabel))
            SelectedLabel = null;
        SetNeedsDraw();
    }

    public void Move(int delta)
    {
        if (_rows.Count == 0)
            return;
        int index = Selected is { } current ? _rows.ToList().FindIndex(r => r.Label == current.Label) : 0;
        index = Math.Clamp(index + delta, 0, _rows.Count - 1);
        Select(_rows[index].Label);
    }

    private void Select(string label)
    {
        SelectedLabel = label;
        SetNeedsDraw();
        SelectionChanged?.Invoke();
    }

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.CursorUp)
        {
            Move(-1);
            return true;
        }
        if (key == Key.CursorDown)
        {
            Move(1);
            return true;
        }
        return false;
    }

    protected override bool OnMouseEvent(Mouse mouse)
    {
        if (!mouse.Flags.HasFlag(MouseFlags.LeftButtonClicked) || mouse.Position is not { } at)
            return false;
        int row = at.Y - 1;
        if (row >= 0 && row < _rows.Count)
            Select(_rows[row].Label);
        return true;
    }

    protected override void Draw()
    {
        var columns = LeaderboardColumn.Fitting(Columns, RankWidth);
        // The contestant column takes the room left, but no more than its longest label needs.
        int longest =
            _rows.Count == 0 ? 0 : _rows.Max(r => TerminalText.Name(r.Label).Length + (r.Disqualified ? 6 : 0));
        int contestantWidth = Math.Max(
            LeaderboardColumn.ContestantMinWidth,
            Math.Min(longest + 1, Columns - RankWidth - columns.Sum(c => c.Width + 1))
        );
        PutRow(
            0,
            "   # "
                + Line(
                    "contestant",
                    contestantWidth,
                    columns.Select(c =>
                        c.RightAligned
                            ? TerminalText.Right(ColumnTitle(c), c.Width)
                            : TerminalText.Fit(ColumnTitle(c), c.Width)
                    )
                ),
            Palette.Muted,
            TextStyle.Bold
        );
        if (_rows.Count == 0)
        {
            PutRow(1, "  waiting for the race to start…", Palette.Muted);
            return;
        }
        string? selected = Selected?.Label;
        for (int i = 0; i < _rows.Count && i + 1 < Rows; i++)
        {
            var row = _rows[i];
            bool leader = row.Rank == 1 && row.Best is not null;
            string marks = (row.Label == selected ? "▶" : " ") + (leader ? "★" : " ");
            string text =
                marks
                + TerminalText.Right(row.Rank.ToString(TerminalText.Invariant), 2)
                + " "
                + Line(
                    TerminalText.Name(row.Label) + (row.Disqualified ? " (out)" : ""),
                    contestantWidth,
                    columns.Select(c =>
                        c.RightAligned
                            ? TerminalText.Right(c.Value(row), c.Width)
                            : TerminalText.Fit(c.Value(row), c.Width)
                    )
                );
            Color? color =
                row.Disqualified ? Palette.Failure
                : leader ? Palette.Leader
                : null;
            PutRow(
                i + 1,
                text,
                color,
                (leader ? TextStyle.Bold : TextStyle.None)
                    | (row.Label == selected && HasFocus ? TextStyle.Reverse : TextStyle.None)
            );
        }
    }

    private string ColumnTitle(LeaderboardColumn column) =>
        column.Title == LeaderboardColumn.ScoreTitle ? _scoreTitle : column.Title;

    private static string Line(string contestant, int width, IEnumerable<string> cells) =>
        TerminalText.Fit(contestant, width) + string.Concat(cells.Select(c => " " + c));
}
