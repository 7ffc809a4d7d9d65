using Nas.Sandbox.Core.Racing.Tracking;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;

namespace Nas.Sandbox.Tui;

/// <summary>
/// Runs the tournament screen in the real terminal until the user quits. The race runs elsewhere (its own task);
/// this only renders the tracker's snapshots, about four times a second, through <see cref="IApplication.Invoke(Action)"/>,
/// so a slow trial never blocks input.
/// </summary>
public static class TournamentApp
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// True when there is a terminal to draw on (Terminal.Gui would otherwise run forever, invisibly). Terminal.Gui's
    /// own switch for "no terminal" (<c>DisableRealDriverIO=1</c>, used by tests) counts as none.
    /// </summary>
    public static bool HasTerminal() =>
        Environment.GetEnvironmentVariable("DisableRealDriverIO") != "1" && Driver.IsAttachedToTerminal(out _, out _);

    /// <summary>
    /// Shows the screen until the user quits. <paramref name="createCommands"/> receives the action that ends the session.
    /// Returns after the terminal has been restored.
    /// </summary>
    public static void Run(RaceTracker tracker, Func<Action, ITournamentCommands> createCommands)
    {
        using IApplication app = Application.Create();
        app.Init();
        var screen = new TournamentScreen(createCommands(() => app.Invoke(() => app.RequestStop())));
        screen.Attach(app);
        screen.Render(tracker.Snapshot());
        using var refresh = new Timer(_ => Refresh(app, screen, tracker), null, RefreshInterval, RefreshInterval);
        app.Run(screen);
        screen.Dispose();
    }

    private static void Refresh(IApplication app, TournamentScreen screen, RaceTracker tracker)
    {
        // A tick can race the end of the session; a missed frame then is harmless, an exception on a timer thread is not.
        try
        {
            app.Invoke(() => screen.Render(tracker.Snapshot()));
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException) { }
    }
}
