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
    /// <summary>Seconds spent: evaluations' costs plus the charged search time.</summary>
    public double Seconds { get; private set; }
    /// <summary>Wall seconds of Ask/Tell calls that touched the training kit (weight training by the strategy).</summary>
    public double SearchSeconds { get; private set; }
    /// <summary>This heat's training kit for this contestant (null when the race offers no data).</summary>
    public Training.TrainingKit? Kit { get; set; }
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

    /// <summary>Charges the wall time of a call that trained on the race's data.</summary>
    public void Charge(double seconds)
    {
        SearchSeconds += seconds;
        Seconds += seconds;
    }

    public HeatStanding Standing() => new(Label, Used, Failures, Seconds, Best, _bestArchitecture, SearchSeconds);
}
