using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing.Tracking;
using Terminal.Gui.Drawing;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// The latest trials and notices, newest at the bottom: contestant, trial number, architecture (short codes),
/// accuracy, cost. Failures are red and say why; swaps are cyan; repeats served from the cache are marked ↺.
/// </summary>
internal sealed class RaceLogView : CanvasView
{
    private IReadOnlyList<(DateTime Time, string Text, Color? Color)> _lines = [];

    public void Show(RaceSnapshot snapshot)
    {
        var trials = snapshot.RecentTrials.Select(t =>
            (t.Time, Format(t), t.Trial.Status == TrialStatus.Ok ? (Color?)null : Palette.Failure)
        );
        var notices = snapshot.Notices.Select(n => (n.Time, Format(n), Color(n.Kind)));
        _lines = trials.Concat(notices).OrderBy(l => l.Time).TakeLast(200).ToArray();
        SetNeedsDraw();
    }

    protected override void Draw()
    {
        if (_lines.Count == 0)
        {
            PutRow(0, "no trials yet", Palette.Muted);
            return;
        }
        var visible = _lines.TakeLast(Rows).ToArray();
        for (int i = 0; i < visible.Length; i++)
            PutRow(i, visible[i].Text, visible[i].Color);
    }

    /// <summary>Accuracy and cost first, so that a narrow panel cuts the architecture, not the result.</summary>
    private static string Format(TrialLine line)
    {
        var t = line.Trial;
        string name = TerminalText.Name(line.Contestant);
        string label = name.Length > 14 ? name[..13] + "…" : name;
        string who = $"{label} #{t.Index + 1}";
        if (t.Status != TrialStatus.Ok)
            return $"✗ {JournalFormat.StatusName(t.Status)} {who}: {t.Message}";
        return $"{TerminalText.Accuracy(t.Metrics.ValidationAccuracy)} {TerminalText.Right(TerminalText.Seconds(t.CostSeconds), 5)}{(t.FromCache ? "↺" : " ")}{Rung(t)} {who, -18} {CompactArchitecture.Format(t.Architecture)}";
    }

    /// <summary>In a race with a fidelity ladder: the trial's epochs, and ↑ for a promotion (a continued trial), e.g. " 9ep↑".</summary>
    private static string Rung(Trial t)
    {
        if (t.Rung is null)
            return "";
        string epochs = (t.Fidelity.Epochs ?? 0).ToString("0", TerminalText.Invariant) + "ep";
        return " " + TerminalText.Right(epochs, 4) + (t.Continues is null ? " " : "↑");
    }

    private static string Format(RaceNotice notice) =>
        notice.Kind switch
        {
            NoticeKind.Swap => "⇄ " + notice.Text,
            NoticeKind.Error => "✗ " + notice.Text,
            NoticeKind.Warning => "! " + notice.Text,
            _ => "· " + notice.Text,
        };

    private static Color? Color(NoticeKind kind) =>
        kind switch
        {
            NoticeKind.Swap => Palette.Swap,
            NoticeKind.Error => Palette.Failure,
            NoticeKind.Warning => Palette.Warning,
            _ => Palette.Muted,
        };
}
