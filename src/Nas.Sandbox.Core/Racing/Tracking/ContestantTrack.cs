using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Tracking;

/// <summary>What the tracker knows of one contestant: this heat's spending, best and curve, and its finished heats.</summary>
internal sealed class ContestantTrack(ContestantInfo info, int entry)
{
    public ContestantInfo Info { get; } = info;
    public string Version { get; set; } = info.Build.Length == 0 || info.Build == info.Version ? info.Version : $"{info.Version} ({info.Build})";
    public int Used { get; private set; }
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

    public void StartHeat()
    {
        (Used, Failures, Seconds, BestTrial, Disqualified, HeatOpen) = (0, 0, 0, null, false, true);
        Curve.Clear();
    }

    public void Record(Trial trial)
    {
        Used++;
        Seconds += trial.CostSeconds;
        if (trial.Status != TrialStatus.Ok) { Failures++; return; }
        if (trial.Metrics.ValidationAccuracy is not { } accuracy) return;
        if (BestTrial?.Metrics.ValidationAccuracy is { } best && accuracy <= best) return;
        BestTrial = trial;
        Curve.Add(new CurvePoint(Used, Seconds, accuracy));
    }

    /// <summary>Search time charged to the contestant (its own training on the race's data): counts in its seconds.</summary>
    public void Charge(double seconds) => Seconds += seconds;

    /// <summary>A failure outside a trial: a failed Ask costs an evaluation; a failed constructor sits the heat out.</summary>
    public void Fault(string phase)
    {
        if (phase == "ask") { Used++; Failures++; }
        else if (phase == "create") Disqualified = true;
    }

    public void FinishHeat(HeatStanding standing)
    {
        HeatOpen = false;
        HeatsFinished++;
        if (standing.BestValidationAccuracy is { } best) HeatBests.Add(best);
    }

    public ContestantStanding ToStanding(RaceSettings? settings, double? rating)
    {
        var (mean, std) = Statistics.MeanStd(HeatBests);
        return new ContestantStanding
        {
            Entry = entry, Label = Info.Label, Strategy = Info.Strategy, Source = SourceName(Info.Source), Origin = Info.Origin, Version = Version,
            Knobs = Info.Knobs, Best = BestTrial?.Metrics.ValidationAccuracy, BestTrial = BestTrial, MeanBest = mean, StdBest = std,
            HeatsFinished = HeatsFinished, Used = Used, Budget = settings?.Budget, Failures = Failures, Seconds = Seconds,
            Rating = rating, Curve = Curve.ToArray(), Swaps = Swaps.ToArray(), Disqualified = Disqualified,
        };
    }

    /// <summary>The short source names the leaderboard shows.</summary>
    public static string SourceName(string kind) => kind switch
    {
        Hosting.StrategySource.BuiltInPack => "built-in",
        Hosting.StrategySource.PluginFolder => "plugin",
        Hosting.StrategySource.Script => "script",
        _ => kind,
    };
}
