using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Tracking;
using Terminal.Gui.Drawing;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// The selected contestant: its best architecture drawn as its space draws it (NB201: the cell, nodes, edges and
/// their operations), the metrics
/// of that trial, its knobs and its swap history, and in a race with several workers what each of its workers is
/// evaluating and for how long on its worker clock (idle ones too). Metrics go beside the drawing when there is room,
/// else below it.
/// </summary>
internal sealed class ContestantDetailView : CanvasView
{
    private const int SideMinWidth = 28;
    private ContestantStanding? _contestant;

    public void Show(ContestantStanding? contestant)
    {
        _contestant = contestant;
        Title = contestant is null ? "Contestant" : $"{contestant.Label} · {contestant.Source} {contestant.Version}";
        SetNeedsDraw();
    }

    /// <summary>How the race's space draws an architecture (the screen sets it from its commands).</summary>
    public Func<Architecture, int, IReadOnlyList<string>> Drawing { get; set; } = ArchitecturePicture.Default;

    protected override void Draw()
    {
        if (Columns < 1 || Rows < 1)
            return;
        if (_contestant is not { } c)
        {
            PutRow(0, "no contestant selected (↑/↓ in the leaderboard)", Palette.Muted);
            return;
        }
        var best = c.BestTrial;
        IReadOnlyList<string> picture = best is null
            ? ["no successful evaluation yet in this heat"]
            : Drawing(best.Architecture, Columns);
        // The workers come first after the best trial: in a race with many they are what changes from one moment to the next.
        var facts = Facts(c)
            .Take(c.BestTrial is null ? 0 : 2)
            .Concat(Workers(c))
            .Concat(Facts(c).Skip(c.BestTrial is null ? 0 : 2))
            .ToList();
        int pictureWidth = picture.Max(l => l.Length);
        bool beside = Columns - pictureWidth - 2 >= SideMinWidth;
        for (int i = 0; i < picture.Count; i++)
            Put(0, i, picture[i], best is null ? Palette.Muted : null);
        int x = beside ? pictureWidth + 2 : 0,
            y = beside ? 0 : picture.Count;
        foreach (var (text, color) in facts)
        foreach (string line in TerminalText.Wrap(text, Columns - x))
            Put(x, y++, line, color);
    }

    private static IEnumerable<(string, Color?)> Facts(ContestantStanding c)
    {
        if (c.BestTrial is { } t)
        {
            var m = t.Metrics;
            yield return (
                $"best {TerminalText.Accuracy(m.ValidationAccuracy)} at evaluation {t.Index + 1}"
                    + (m.ValidationLoss is { } loss ? $" · loss {loss.ToString("0.000", TerminalText.Invariant)}" : "")
                    + $" · {TerminalText.Count(m.Parameters)} params · {TerminalText.Count(m.Flops)} FLOPs · {TerminalText.Seconds(t.CostSeconds)}",
                Palette.Leader
            );
            yield return (t.Architecture.Key, Palette.Muted);
        }
        string knobs =
            c.Knobs.Count == 0
                ? "default knobs"
                : "knobs " + string.Join(",", c.Knobs.Select(k => $"{k.Key}={k.Value}"));
        yield return (
            $"{c.Strategy} · {knobs} · {c.Used}{(c.Budget is { } b ? "/" + b : "")} evaluations · {c.Failures} failed",
            null
        );
        if (c.Swaps.Count == 0)
            yield return ("no swaps", Palette.Muted);
        foreach (string swap in c.Swaps.TakeLast(3))
            yield return ("⇄ " + swap, Palette.Swap);
    }

    /// <summary>Its workers, on few lines (a panel may have little room): busy ones with what and for how long, then the idle ones.</summary>
    private static IEnumerable<(string, Color?)> Workers(ContestantStanding c)
    {
        if (c.Workers is not { } workers)
            yield break;
        int busy = workers.Count(w => !w.Idle);
        yield return (
            c.WorkersShared
                ? $"shared workers: {busy} of {workers.Count} busy · its clock {TerminalText.Seconds(c.Clock)}"
                : $"workers: {busy} of {workers.Count} busy · clock {TerminalText.Seconds(c.Clock)}",
            null
        );
        for (int i = 0; i < busy; i++)
            yield return (
                (workers[i].Contestant is { } whose ? $"#{i + 1} {whose} evaluation" : $"#{i + 1} evaluation")
                    + $" {workers[i].Index + 1} for {TerminalText.Seconds(workers[i].Running ?? 0)} · {CompactArchitecture.Format(workers[i].Architecture!)}",
                workers[i].Contestant is { } other && other != c.Label ? Palette.Muted : null
            );
        if (busy < workers.Count)
            yield return (
                busy + 1 == workers.Count ? $"#{workers.Count} idle" : $"#{busy + 1}-#{workers.Count} idle",
                Palette.Muted
            );
    }
}
