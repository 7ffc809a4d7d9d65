namespace Nas.Sandbox.Tui.Tests;

/// <summary>Commands the screen sent, in order, for tests of the screen alone.</summary>
internal sealed class RecordingCommands : ITournamentCommands
{
    public List<string> Sent { get; } = [];

    public void TogglePause() => Sent.Add("pause");

    public void SingleStep() => Sent.Add("step");

    public void Add(string contestant) => Sent.Add($"add {contestant}");

    public void Remove(string label) => Sent.Add($"remove {label}");

    public void RestartHeat() => Sent.Add("restart");

    public string SaveReport()
    {
        Sent.Add("report");
        return "report saved to runs/x.md";
    }

    public void Quit() => Sent.Add("quit");
}
