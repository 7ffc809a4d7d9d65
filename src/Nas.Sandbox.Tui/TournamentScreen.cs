using Nas.Sandbox.Core.Racing.Tracking;
using Nas.Sandbox.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Nas.Sandbox.Tui;

/// <summary>
/// The tournament console: leaderboard on top; the anytime chart and the race log (with build errors above it when
/// there are any) in the middle; the selected contestant's cell and metrics below; the status line at the bottom.
/// It renders <see cref="RaceSnapshot"/>s and turns keys into <see cref="ITournamentCommands"/>; nothing else.
/// </summary>
public sealed class TournamentScreen : Window
{
    private readonly ITournamentCommands _commands;
    private readonly LeaderboardView _leaderboard = new()
    {
        Title = "Leaderboard",
        X = 0,
        Y = 0,
        Width = Dim.Fill(),
    };
    private readonly AnytimeChartView _chart = new() { Title = "Best so far", X = 0 };
    private readonly ErrorPanelView _errors = new() { Title = "Build errors", Visible = false };
    private readonly RaceLogView _log = new() { Title = "Trials" };
    private readonly KeyHelpView _help = new() { Title = "Keys", Visible = false };
    private readonly ContestantDetailView _detail = new() { X = 0, Width = Dim.Fill() };
    private readonly StatusLineView _status = new()
    {
        X = 0,
        Y = Pos.AnchorEnd(1),
        Width = Dim.Fill(),
        Height = 1,
    };
    private readonly PromptBar _prompt = new()
    {
        X = 0,
        Y = Pos.AnchorEnd(1),
        Width = Dim.Fill(),
    };
    private RaceSnapshot _snapshot = new();

    public TournamentScreen(ITournamentCommands commands)
    {
        _commands = commands;
        _detail.Drawing = commands.Draw;
        Title = "Nas.Sandbox tournament";
        BorderStyle = LineStyle.None;
        foreach (var panel in new View[] { _leaderboard, _chart, _errors, _log, _help, _detail })
            panel.BorderStyle = LineStyle.Rounded;
        _chart.Y = Pos.Bottom(_leaderboard);
        _chart.Width = Dim.Percent(50);
        _errors.X = Pos.Right(_chart);
        _errors.Y = Pos.Bottom(_leaderboard);
        _errors.Width = Dim.Fill();
        _log.X = Pos.Right(_chart);
        _log.Width = Dim.Fill();
        _help.X = Pos.Right(_chart);
        _help.Width = Dim.Fill();
        _leaderboard.SelectionChanged += () => _detail.Show(_leaderboard.Selected);
        Add(_leaderboard, _chart, _errors, _log, _help, _detail, _status, _prompt);
        FrameChanged += (_, _) => Relayout();
        Relayout();
        _leaderboard.SetFocus();
    }

    /// <summary>Routes keys from the application (raised before any view sees them), so a focused view never eats them.</summary>
    public void Attach(IApplication app) =>
        app.Keyboard.KeyDown += (_, key) =>
        {
            if (HandleKey(key))
                key.Handled = true;
        };

    public void Render(RaceSnapshot snapshot)
    {
        _snapshot = snapshot;
        _leaderboard.Show(snapshot.Contestants, snapshot.ScoreTitle);
        _chart.Show(snapshot);
        _chart.Title = _chart.BySeconds ? "Best so far vs seconds" : "Best so far vs evaluations";
        _log.Show(snapshot);
        _errors.Show(snapshot.Errors);
        _detail.Show(_leaderboard.Selected);
        _status.Show(snapshot);
        Relayout();
    }

    /// <summary>The keys of the screen; true when the key was used.</summary>
    public bool HandleKey(Key key)
    {
        if (_prompt.IsOpen)
            return HandlePromptKey(key);
        if (key == Key.Q || key == Key.Q.WithCtrl)
        {
            _commands.Quit();
            return true;
        }
        bool steering =
            key == Key.Space
            || key == Key.P
            || key == Key.N
            || key == Key.A
            || key == Key.D
            || key == Key.Delete
            || key == Key.DeleteChar
            || key == Key.R;
        if (steering && _snapshot.Phase is RacePhase.Finished or RacePhase.Failed or RacePhase.Cancelled)
        {
            _status.Say("the race is over: w saves a report, q quits");
            return true;
        }
        if (key == Key.Space || key == Key.P)
        {
            _commands.TogglePause();
            return true;
        }
        if (key == Key.N)
        {
            _commands.SingleStep();
            return true;
        }
        if (key == Key.A)
        {
            _prompt.Ask("add contestant (name[:knob=value,...] or path.csx):", text =>
            {
                if (text.Length == 0)
                    return;
                _commands.Add(text);
                _status.Say($"adding {text}…");
            });
            _status.Visible = false;
            return true;
        }
        if ((key == Key.D || key == Key.Delete || key == Key.DeleteChar) && _leaderboard.Selected is { } leaving)
        {
            Confirm($"remove {leaving.Label} from the race? (y/n)", () => _commands.Remove(leaving.Label));
            return true;
        }
        if (key == Key.R)
        {
            Confirm($"restart heat {_snapshot.Heat + 1}, discarding its trials? (y/n)", _commands.RestartHeat);
            return true;
        }
        if (key == Key.W || key == Key.S.WithCtrl)
        {
            _status.Say(_commands.SaveReport());
            return true;
        }
        if (key == Key.X)
        {
            _chart.BySeconds = !_chart.BySeconds;
            Render(_snapshot);
            return true;
        }
        if (key == (Key)'?' || key == Key.F1)
        {
            (_help.Visible, _log.Visible) = (!_help.Visible, _help.Visible);
            Relayout();
            return true;
        }
        if (key == Key.CursorUp || key == Key.K)
        {
            _leaderboard.Move(-1);
            return true;
        }
        if (key == Key.CursorDown || key == Key.J)
        {
            _leaderboard.Move(1);
            return true;
        }
        // Esc would quit Terminal.Gui's session by default: too easy to hit by accident during a long race.
        return key == Key.Esc;
    }

    private bool HandlePromptKey(Key key)
    {
        if (key == Key.Esc)
        {
            ClosePrompt();
            return true;
        }
        if (_prompt.IsConfirmation)
        {
            if (key == Key.Y)
            {
                _prompt.Submit();
                ShowStatus();
            }
            else
                ClosePrompt();
            return true;
        }
        if (key == Key.Enter)
        {
            _prompt.Submit();
            ShowStatus();
            return true;
        }
        return false;
    }

    private void Confirm(string question, Action onYes)
    {
        _prompt.Ask(question, _ => onYes(), confirmation: true);
        _status.Visible = false;
    }

    private void ClosePrompt()
    {
        _prompt.Close();
        ShowStatus();
    }

    private void ShowStatus()
    {
        _status.Visible = true;
        _leaderboard.SetFocus();
    }

    /// <summary>Sizes the panels for the screen: the leaderboard fits its rows, the detail panel its drawing.</summary>
    private void Relayout()
    {
        int screenHeight = Math.Max(Frame.Height, 10);
        int leaderboardHeight = Math.Min(Math.Max(1, _snapshot.Contestants.Count) + 3, Math.Max(5, screenHeight / 3));
        int detailHeight = screenHeight >= 30 ? 11 : 10;
        int errorLines = _snapshot.Errors.Count == 0 ? 0 : _errors.LineCount(Math.Max(10, Frame.Width / 2 - 2));
        int middle = Math.Max(4, screenHeight - leaderboardHeight - detailHeight - 1);
        int errorsHeight = errorLines == 0 ? 0 : Math.Min(errorLines + 2, Math.Max(4, middle * 2 / 3));
        SetHeight(_leaderboard, leaderboardHeight);
        SetHeight(_chart, middle);
        SetHeight(_errors, errorsHeight);
        _errors.Visible = errorsHeight > 0;
        _log.Y = errorsHeight > 0 ? Pos.Bottom(_errors) : Pos.Bottom(_leaderboard);
        SetHeight(_log, middle - errorsHeight);
        _help.Y = _log.Y;
        SetHeight(_help, middle - errorsHeight);
        _detail.Y = Pos.AnchorEnd(detailHeight + 1);
        SetHeight(_detail, detailHeight);
    }

    private static void SetHeight(View view, int height)
    {
        if (view.Height is DimAbsolute absolute && absolute.Size == height)
            return;
        view.Height = Dim.Absolute(height);
    }
}
