using Nas.Sandbox.Core.Racing.Tracking;
using Terminal.Gui.Drawing;

namespace Nas.Sandbox.Tui.Views;

/// <summary>The bottom line: phase, heat k of K, overall progress, elapsed time, and the keys (shorter when narrow).</summary>
internal sealed class StatusLineView : CanvasView
{
    // From the fullest help that fits down to the essentials; ? shows every key.
    private static readonly string[] KeyHelp =
    [
        "space pause  n step  a add  d remove  r restart heat  w save report  x axis  ? keys  q quit",
        "␣ pause  n step  a add  d remove  r restart  w report  ? keys  q quit",
        "␣ pause  a add  ? keys  q quit",
    ];
    private RaceSnapshot _snapshot = new();
    private static readonly TimeSpan MessageLifetime = TimeSpan.FromSeconds(8);
    private string? _message;
    private DateTime _messageTime;

    public void Show(RaceSnapshot snapshot)
    {
        _snapshot = snapshot;
        SetNeedsDraw();
    }

    /// <summary>A one-off message (report saved, command refused...) shown until the next one.</summary>
    public void Say(string? message)
    {
        (_message, _messageTime) = (message, DateTime.UtcNow);
        SetNeedsDraw();
    }

    protected override void Draw()
    {
        var s = _snapshot;
        string phase = s.Phase switch
        {
            RacePhase.Pausing => "pausing after this trial",
            RacePhase.Cancelled => "stopped",
            _ => s.Phase.ToString().ToLowerInvariant(),
        };
        string evals = s.EvaluationsPlanned is { } planned
            ? $" {s.EvaluationsDone}/{planned}"
            : $" {s.EvaluationsDone} evals";
        string state =
            $" {phase} │ heat {Math.Min(s.Heat + 1, Math.Max(1, s.Heats))}/{s.Heats} │ {s.Progress * 100:0}%{evals} │ {TerminalText.Clock(s.ElapsedSeconds)} │ ";
        Color stateColor = s.Phase switch
        {
            RacePhase.Running => Color.BrightGreen,
            RacePhase.Finished => Palette.Leader,
            RacePhase.Failed => Palette.Failure,
            _ => Palette.Warning,
        };
        Put(0, 0, state, stateColor, TextStyle.Bold);
        if (_message is not null && DateTime.UtcNow - _messageTime > MessageLifetime)
            _message = null;
        string tail = _message ?? KeyHelp.FirstOrDefault(k => k.Length <= Columns - state.Length) ?? KeyHelp[^1];
        Put(
            state.Length,
            0,
            TerminalText.Fit(tail, Columns - state.Length),
            _message is null ? Palette.Muted : Palette.Swap
        );
    }
}
