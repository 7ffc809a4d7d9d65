using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// One contestant in one heat, as the referee keeps it: the strategy build it races (entry), the current instance,
/// the history (every trial told, in order), its own cache, and what it has spent.
/// </summary>
internal sealed class ContestantRun(string label, StrategyEntry entry, KnobValues knobs)
{
    public string Label { get; } = label;
    public StrategyEntry Entry { get; set; } = entry;
    public KnobValues Knobs { get; set; } = knobs;
    public IStrategy? Strategy { get; set; }
    /// <summary>No usable instance for the rest of the heat (its constructor failed and no new build has arrived).</summary>
    public bool Disqualified { get; set; }
    /// <summary>The instance may still be running an abandoned call: rebuild it by replay before the next ask.</summary>
    public bool NeedsRebuild { get; set; }
    /// <summary>A new build waiting to be swapped in at this contestant's next turn.</summary>
    public StrategyEntry? PendingEntry { get; set; }
    public Dictionary<Architecture, Trial> Cache { get; } = [];
    public List<Trial> History { get; } = [];
    public int Used { get; set; }
    public int Failures { get; set; }
    public double Seconds { get; private set; }
    public double? Best { get; private set; }
    private string? _bestArchitecture;

    public bool HasBudget(RaceSettings settings) =>
        !Disqualified && (settings.Budget is not { } n || Used < n) && (settings.BudgetSeconds is not { } s || Seconds < s);

    public void Record(Trial trial)
    {
        History.Add(trial);
        Used++;
        Seconds += trial.CostSeconds;
        if (trial.Status != TrialStatus.Ok) Failures++;
        else if (trial.Metrics.ValidationAccuracy is { } accuracy && (Best is null || accuracy > Best))
        {
            Best = accuracy;
            _bestArchitecture = trial.Architecture.Key;
        }
    }

    public HeatStanding Standing() => new(Label, Used, Failures, Seconds, Best, _bestArchitecture);
}
