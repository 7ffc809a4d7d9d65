using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Tracking;

/// <summary>What the tracker knows of one contestant: this heat's spending, best and curve, and its finished heats.</summary>
internal sealed class ContestantTrack(ContestantInfo info, int entry)
{
    public ContestantInfo Info { get; } = info;
    public string Version { get; set; } =
        info.Build.Length == 0 || info.Build == info.Version ? info.Version : $"{info.Version} ({info.Build})";
    public int Used { get; private set; }

    /// <summary>Epochs of training paid in this heat (a continuation pays its extra epochs only).</summary>
    public double Epochs { get; private set; }
    private readonly Dictionary<int, double> _epochsOf = [];
    private int _bestRung = int.MinValue;
    public int Failures { get; private set; }
    public double Seconds { get; private set; }
    public Trial? BestTrial { get; private set; }
    public bool Disqualified { get; set; }

    /// <summary>True between the start and the end of a heat.</summary>
    public bool HeatOpen { get; private set; }
    public List<CurvePoint> Curve { get; } = [];
    public List<double> HeatBests { get; } = [];
    public List<string> Swaps { get; } = [];
    public int HeatsFinished { get; private set; }

    /// <summary>This heat's objective vectors (Pareto races): the front's hypervolume is the contestant's score.</summary>
    public List<IReadOnlyList<double>> Vectors { get; } = [];

    /// <summary>The score shown and ranked: the best objective, or in a Pareto race the hypervolume of this heat's front.</summary>
    public double? Best { get; private set; }

    /// <summary>Its trials in flight (races with several workers), by index: architecture, start on its worker clock, and when that was (UTC).</summary>
    public SortedDictionary<int, (Architecture Architecture, double StartedAt, DateTime Since)> InFlight { get; } = [];

    /// <summary>Its worker clock: the latest start or return seen.</summary>
    public double Clock { get; private set; }

    public void StartHeat()
    {
        (Used, Failures, Seconds, BestTrial, Best, Disqualified, HeatOpen, Clock) = (
            0,
            0,
            0,
            null,
            null,
            false,
            true,
            0
        );
        (Epochs, _bestRung) = (0, int.MinValue);
        _epochsOf.Clear();
        Curve.Clear();
        Vectors.Clear();
        InFlight.Clear();
    }

    public void Start(TrialStarted started)
    {
        InFlight[started.Index] = (started.Architecture, started.StartedAt, started.Time);
        Clock = Math.Max(Clock, started.StartedAt);
    }

    public void Land(TrialFinished finished)
    {
        InFlight.Remove(finished.Trial.Index);
        if (finished.FinishedAt is { } at)
            Clock = Math.Max(Clock, at);
    }

    /// <summary>
    /// Its workers on a table (simulated, its own), busy ones first in the order their trials were asked, then the idle
    /// ones; for how long each has run on its worker clock. Null with one worker, and with worker processes, which are
    /// the race's, not a contestant's (<see cref="RaceTracker"/> lists the pool).
    /// </summary>
    private IReadOnlyList<WorkerSlot>? Workers(RaceSettings? settings) =>
        settings is not { Workers: > 1, WorkerProcesses: false }
            ? null
            : InFlight
                .Select(t => new WorkerSlot(t.Key, t.Value.Architecture, t.Value.StartedAt, Clock - t.Value.StartedAt))
                .Concat(
                    Enumerable.Repeat<WorkerSlot>(
                        new WorkerSlot(null, null, null, null),
                        Math.Max(0, settings.Workers - InFlight.Count)
                    )
                )
                .ToArray();

    public void Record(Trial trial, TrackScoring scoring)
    {
        Used++;
        Seconds += trial.CostSeconds;
        double epochs = trial.Fidelity.Epochs ?? 0;
        _epochsOf[trial.Index] = epochs;
        if (!trial.FromCache)
            Epochs += Math.Max(0, epochs - (trial.Continues is { } parent ? _epochsOf.GetValueOrDefault(parent) : 0));
        if (trial.Status != TrialStatus.Ok)
        {
            Failures++;
            return;
        }
        // The pick: the best objective (validation accuracy unless the race's objective says otherwise), at the highest
        // rung reached in a race with a fidelity ladder (as the referee picks): a higher rung starts the pick afresh.
        int rung = trial.Rung ?? int.MaxValue;
        if (rung < _bestRung)
            return;
        bool promoted = rung > _bestRung;
        if (promoted)
            (_bestRung, BestTrial, Best) = (rung, null, null);
        if (TrackScoring.Value(trial) is { } value && (BestTrial is null || value > TrackScoring.Value(BestTrial)))
            BestTrial = trial;
        if (trial.Objectives is { } vector)
            Vectors.Add(vector);
        double? score =
            scoring.IsPareto ? scoring.Hypervolume(Vectors)
            : BestTrial is null ? null
            : TrackScoring.Value(BestTrial);
        if (score is not { } s || Best is { } b && s <= b)
            return;
        Best = s;
        Curve.Add(new CurvePoint(Used, Seconds, s));
    }

    /// <summary>Search time charged to the contestant (its own training on the race's data): counts in its seconds.</summary>
    public void Charge(double seconds) => Seconds += seconds;

    /// <summary>
    /// A failure outside a trial: a failed Ask costs an evaluation; a failed constructor, and the referee's sit-outs
    /// (<see cref="SitOutPhases"/>: repeats, faults, timeouts, memory), sit the heat out.
    /// </summary>
    public void Fault(string phase)
    {
        if (phase == "ask")
        {
            Used++;
            Failures++;
        }
        else if (phase == "create" || SitOutPhases.Contains(phase))
            Disqualified = true;
    }

    public void FinishHeat(HeatStanding standing, TrackScoring scoring)
    {
        HeatOpen = false;
        HeatsFinished++;
        double? score = scoring.IsPareto
            ? scoring.Hypervolume((standing.Front ?? []).Select(p => p.Objectives).ToList()) ?? 0
            : standing.BestObjective ?? standing.BestValidationAccuracy;
        if (score is { } best)
            HeatBests.Add(best);
    }

    public ContestantStanding ToStanding(RaceSettings? settings, double? rating)
    {
        var (mean, std) = Statistics.MeanStd(HeatBests);
        return new ContestantStanding
        {
            Entry = entry,
            Label = Info.Label,
            Strategy = Info.Strategy,
            Source = SourceName(Info.Source),
            Origin = Info.Origin,
            Version = Version,
            Knobs = Info.Knobs,
            Best = Best,
            BestTrial = BestTrial,
            MeanBest = mean,
            StdBest = std,
            HeatsFinished = HeatsFinished,
            Used = Used,
            Budget = settings?.Budget,
            Epochs = settings?.MultiFidelity == true || settings?.BudgetEpochs is not null ? Epochs : null,
            BudgetEpochs = settings?.BudgetEpochs,
            Failures = Failures,
            Seconds = Seconds,
            Rating = rating,
            Curve = Curve.ToArray(),
            Swaps = Swaps.ToArray(),
            Disqualified = Disqualified,
            Workers = Workers(settings),
            Clock = Clock,
        };
    }

    /// <summary>The short source names the leaderboard shows.</summary>
    public static string SourceName(string kind) =>
        kind switch
        {
            Hosting.StrategySource.BuiltInPack => "built-in",
            Hosting.StrategySource.PluginFolder => "plugin",
            Hosting.StrategySource.Script => "script",
            _ => kind,
        };
}
