using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Tui;

/// <summary>What the screen can ask of the race. The screen never calls the engine otherwise.</summary>
public interface ITournamentCommands
{
    void TogglePause();

    /// <summary>Pauses when running; when paused, lets one more trial run.</summary>
    void SingleStep();

    /// <summary>Adds a contestant: a strategy name or a .csx path, with optional knobs (<c>NAME[:k=v,...]</c>).</summary>
    void Add(string contestant);
    void Remove(string label);
    void RestartHeat();

    /// <summary>Writes a Markdown summary and a CSV of trials; returns what was written, for the status line.</summary>
    string SaveReport();
    void Quit();

    /// <summary>
    /// An architecture of the race's space as lines of text at most about <paramref name="maxWidth"/> wide (the space's
    /// own picture, <c>ISpaceProvider.Draw</c>). By default an NB201 cell's diagram, or the key.
    /// </summary>
    IReadOnlyList<string> Draw(Architecture architecture, int maxWidth) =>
        ArchitecturePicture.Default(architecture, maxWidth);
}
