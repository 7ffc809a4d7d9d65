using Nas.Sandbox.Core.Racing.Tracking;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Time;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>
/// The tournament screen on Terminal.Gui's ANSI driver with a virtual screen and virtual time: no terminal, no run
/// loop, no sleeps. Keys go through the application's keyboard, as a user's would; the screen's text is what a
/// user would see.
/// </summary>
internal sealed class ScreenHarness : IDisposable
{
    private readonly IApplication _app;
    private readonly SessionToken? _session;

    public ScreenHarness(ITournamentCommands commands, int columns = 100, int rows = 30)
    {
        _app = Application.Create(new VirtualTimeProvider());
        _app.Init(DriverRegistry.Names.ANSI);
        _app.Driver!.SetScreenSize(columns, rows);
        _app.Driver.Clipboard = new FakeClipboard();
        Screen = new TournamentScreen(commands);
        Screen.Attach(_app);
        _session = _app.Begin(Screen);
    }

    public TournamentScreen Screen { get; }

    public void Render(RaceSnapshot snapshot) => Screen.Render(snapshot);

    public void Press(params Key[] keys)
    {
        foreach (var key in keys)
            _app.InjectKey(key);
    }

    public void Type(string text)
    {
        foreach (char c in text)
            _app.InjectKey(new Key(c));
    }

    public void Resize(int columns, int rows) => _app.Driver!.SetScreenSize(columns, rows);

    /// <summary>The whole screen as text, one line per row.</summary>
    public string Text()
    {
        _app.LayoutAndDraw(forceRedraw: true);
        return _app.Driver!.ToString()!;
    }

    public string[] Lines() => Text().Split('\n');

    /// <summary>The foreground colour of one cell of the screen, as last drawn.</summary>
    public Terminal.Gui.Drawing.Color? ForegroundAt(int row, int column) =>
        _app.Driver!.Contents![row, column].Attribute?.Foreground;

    public void Dispose()
    {
        if (_session is not null)
            _app.End(_session);
        Screen.Dispose();
        _app.Dispose();
    }
}
