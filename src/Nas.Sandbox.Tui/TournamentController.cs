using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tui;

/// <summary>
/// Turns the screen's commands into race commands. Adding a contestant may compile a script, so it runs off the UI
/// thread; whatever goes wrong (unknown strategy, bad knobs, compile errors) becomes a notice, never an exception.
/// </summary>
public sealed class TournamentController(
    RaceControl control,
    RaceTracker tracker,
    Func<string, ContestantSpec> admit,
    Func<string> saveReport,
    Action quit,
    Func<Architecture, int, IReadOnlyList<string>>? draw = null
) : ITournamentCommands
{
    /// <summary>The race's space draws its architectures; a picture that fails shows the key.</summary>
    public IReadOnlyList<string> Draw(Architecture architecture, int maxWidth)
    {
        if (draw is null)
            return ArchitecturePicture.Default(architecture, maxWidth);
        try
        {
            var lines = draw(architecture, maxWidth);
            return lines is { Count: > 0 } ? lines : [architecture.Key];
        }
        catch (Exception)
        {
            return [architecture.Key];
        }
    }

    /// <summary>The latest add in progress (tests await it).</summary>
    public Task LastAdd { get; private set; } = Task.CompletedTask;

    public void TogglePause() => control.TogglePause();

    public void SingleStep()
    {
        if (control.IsPaused)
            control.Step();
        else
            control.Pause();
    }

    public void Add(string contestant) =>
        LastAdd = Task.Run(() =>
        {
            try
            {
                control.Add(admit(contestant));
            }
            catch (Exception e) when (e is NasException or KnobException or ArchitectureFormatException or IOException)
            {
                tracker.Error($"add {contestant}: {e.Message}");
            }
        });

    public void Remove(string label) => control.Remove(label);

    public void RestartHeat() => control.RestartHeat();

    public string SaveReport()
    {
        try
        {
            return saveReport();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            tracker.Error($"saving the report failed: {e.Message}");
            return $"saving the report failed: {e.Message}";
        }
    }

    public void Quit() => quit();
}
