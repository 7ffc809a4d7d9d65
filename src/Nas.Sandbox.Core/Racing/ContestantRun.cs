using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// One contestant in one heat, as the referee keeps it: the strategy build it races (entry), the current instance,
/// the history (every trial told, in order), its own cache, and what it has spent.
/// </summary>
internal sealed class ContestantRun(
    string label,
    StrategyEntry entry,
    KnobValues knobs,
    string seedKey,
    int workers = 1,
    bool workerProcesses = false
)
{
    /// <summary>The race's workers per contestant (<see cref="RaceSettings.Workers"/>).</summary>
    public int Workers { get; } = workers;

    /// <summary>Its trials in flight, and its worker clock (the wall clock when trials run on worker processes).</summary>
    public TrialFlight Flight { get; } = new(workerProcesses);

    /// <summary>How many trials its current instance may have in flight (<see cref="IParallelStrategy.MaxInFlight"/>, capped by the workers), once asked.</summary>
    public (IStrategy Instance, int Capacity)? Capacity { get; set; }

    /// <summary>Resume: trials the journal started that never came back, by index, to be started again at their time.</summary>
    public SortedDictionary<int, (TrialPlan Plan, double StartedAt)> Unfinished { get; } = [];

    /// <summary>Resume: when each architecture (at each fidelity) it paid for came back on its worker clock (a repeat pending on it comes back then too).</summary>
    public Dictionary<TrialKey, double> LandedAt { get; } = [];
    public string Label { get; } = label;

    /// <summary>What its random numbers are derived from (<see cref="LineupSlot.SeedKey"/>).</summary>
    public string SeedKey { get; } = seedKey;
    public StrategyEntry Entry { get; set; } = entry;
    public KnobValues Knobs { get; set; } = knobs;
    public IStrategy? Strategy { get; set; }

    /// <summary>No usable instance for the rest of the heat (its constructor failed and no new build has arrived).</summary>
    public bool Disqualified { get; set; }

    /// <summary>The instance may still be running an abandoned call: rebuild it by replay before the next ask.</summary>
    public bool NeedsRebuild { get; set; }

    /// <summary>Why, when it is not a timeout (its contestant process crashed), for the swap line.</summary>
    public string? RebuildReason { get; set; }

    /// <summary>A new build waiting to be swapped in at this contestant's next turn.</summary>
    public StrategyEntry? PendingEntry { get; set; }

    /// <summary>What it paid for in this heat, by architecture and epochs: a repeat is served from here at no cost.</summary>
    public Dictionary<TrialKey, Trial> Cache { get; } = [];
    public List<Trial> History { get; } = [];
    public int Used { get; set; }

    /// <summary>
    /// Steps in a row that spent nothing: repeats served from the cache and failed asks (a throw, null, an architecture
    /// outside the space), with no paid evaluation or charged search time between them. Such a strategy would never
    /// exhaust a seconds budget (<see cref="Referee.MaxFreeStepsInARow"/>).
    /// </summary>
    public int FreeStepsInARow { get; private set; }

    /// <summary>How many of <see cref="FreeStepsInARow"/> were failed asks (the rest were repeats).</summary>
    public int FailedAsksInARow { get; private set; }

    /// <summary>Asks in a row that overran the call timeout (<see cref="Referee.MaxTimeoutsInARow"/>).</summary>
    public int TimeoutsInARow { get; set; }

    /// <summary>What its calls allocated and left on the managed heap, as the memory guard sees it.</summary>
    public MemoryAccount Memory { get; } = new();
    public int Failures { get; set; }

    /// <summary>Times its contestant process crashed in this heat (<c>--isolation process</c>).</summary>
    public int Crashes { get; set; }

    /// <summary>Seconds spent: evaluations' costs plus the charged search time.</summary>
    public double Seconds { get; private set; }

    /// <summary>Wall seconds of Ask/Tell calls that touched the training kit (weight training by the strategy).</summary>
    public double SearchSeconds { get; private set; }

    /// <summary>This heat's training kit for this contestant (null when the race offers no data).</summary>
    public Training.TrainingKit? Kit { get; set; }

    /// <summary>Best validation accuracy so far in the heat.</summary>
    public double? Best { get; private set; }

    /// <summary>Best score so far in the heat of the trials that measured no accuracy (a zero-cost proxy's).</summary>
    public double? BestScore { get; private set; }

    /// <summary>What a trial line shows as the best so far: the accuracy, or in a proxy race the score.</summary>
    public double? BestShown => Best ?? BestScore;

    /// <summary>Best objective so far in the heat, and the architecture that reached it (the contestant's pick).</summary>
    public double? BestObjective { get; private set; }
    private string? _pick;
    private int _pickRung = int.MinValue;

    /// <summary>
    /// The epochs a trial trained: its fidelity's, less those of the trial it continued. (Whether the estimator could
    /// continue is not the strategy's to pay for: its seconds show it.)
    /// </summary>
    public double EpochsPaid(Trial trial) =>
        Math.Max(
            0,
            (trial.Fidelity.Epochs ?? 0)
                - (
                    trial.Continues is { } parent && History.FirstOrDefault(t => t.Index == parent) is { } continued
                        ? continued.Fidelity.Epochs ?? 0
                        : 0
                )
        );

    // Pareto races: every ok trial's objective vector, first evaluation of each architecture only (a cached repeat adds nothing).
    private readonly List<ParetoPoint> _points = [];
    private readonly HashSet<string> _pointArchitectures = [];

    /// <summary>Epochs of training its trials paid for (<see cref="RaceSettings.BudgetEpochs"/>).</summary>
    public double Epochs { get; private set; }

    public bool HasBudget(RaceSettings settings) =>
        !Disqualified
        && (settings.Budget is not { } n || Used < n)
        && (settings.BudgetSeconds is not { } s || Seconds < s)
        && (settings.BudgetEpochs is not { } e || Epochs < e);

    /// <summary>
    /// It may be asked for one more trial: it has budget left counting its trials in flight as used (a seconds budget
    /// counts what came back, so it may overrun by the trials in flight, as a sequential race overruns by the last one).
    /// </summary>
    public bool CanAsk(RaceSettings settings) =>
        !Disqualified
        && (settings.Budget is not { } n || Used + Flight.Count < n)
        && (settings.BudgetSeconds is not { } s || Seconds < s)
        && (settings.BudgetEpochs is not { } e || Epochs < e);

    public void Record(Trial trial)
    {
        if (trial.FromCache)
            FreeStepsInARow++;
        else
            FreeStepsInARow = FailedAsksInARow = 0;
        History.Add(trial);
        Used++;
        Seconds += trial.CostSeconds;
        if (!trial.FromCache)
            Epochs += EpochsPaid(trial);
        if (trial.Status != TrialStatus.Ok)
        {
            Failures++;
            return;
        }
        // The pick is the best at the highest rung reached, as Hyperband and BOHB report their incumbent: a trial stopped
        // early is not the same network as one trained to the end, and its accuracy is not comparable.
        int rung = trial.Rung ?? int.MaxValue;
        if (rung < _pickRung)
            return;
        if (rung > _pickRung)
        {
            (_pickRung, Best, BestScore, BestObjective, _pick) = (rung, null, null, null, null);
        }
        if (trial.Metrics.ValidationAccuracy is { } accuracy && (Best is null || accuracy > Best))
            Best = accuracy;
        else if (
            trial.Metrics.ValidationAccuracy is null
            && trial.Metrics.Score is { } score
            && (BestScore is null || score > BestScore)
        )
            BestScore = score;
        if (trial.Objective is { } objective && (BestObjective is null || objective > BestObjective))
        {
            BestObjective = objective;
            _pick = trial.Architecture.Key;
        }
        if (trial.Objectives is { } vector && _pointArchitectures.Add(trial.Architecture.Key))
            _points.Add(new ParetoPoint(trial.Index, trial.Architecture.Key, vector.ToArray()));
    }

    /// <summary>Charges the wall time of a call that trained on the race's data.</summary>
    public void Charge(double seconds)
    {
        FreeStepsInARow = FailedAsksInARow = 0;
        SearchSeconds += seconds;
        Seconds += seconds;
    }

    /// <summary>An ask that failed: it uses one evaluation of the budget and spends nothing else.</summary>
    public void AskFailed()
    {
        Used++;
        Failures++;
        FreeStepsInARow++;
        FailedAsksInARow++;
    }

    public HeatStanding Standing(bool multiFidelity = false)
    {
        IReadOnlyList<ParetoPoint>? front = null;
        if (_points.Count > 0)
            front = ParetoRanking
                .NonDominated(_points.Select(p => p.Objectives).ToArray())
                .Select(i => _points[i])
                .ToArray();
        return new(
            Label,
            Used,
            Failures,
            Seconds,
            Best,
            _pick,
            BestObjective,
            front,
            SearchSeconds,
            Workers > 1 ? Math.Round(Flight.MeanWorkers, 4) : null,
            Workers > 1 ? Flight.Clock : null,
            multiFidelity ? Epochs : null
        );
    }
}
