using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Objectives;

/// <summary>
/// The worst value of each cost of a Pareto objective over every ok trial of a race (all contestants, all heats): the
/// default reference point when the space's worst is not known beforehand (a training race). Feed it the race's events.
/// </summary>
public sealed class WorstCosts(RaceObjective objective)
{
    private readonly Dictionary<ObjectiveMetric, double> _worst = [];

    public void OnEvent(RaceEvent raceEvent)
    {
        if (
            !objective.IsPareto
            || raceEvent is not TrialFinished { Trial: { Status: TrialStatus.Ok, Objectives: not null } trial }
        )
            return;
        foreach (var metric in objective.Components.Where(c => c.IsCost))
            if (metric.Read(trial.Metrics) is { } raw && (!_worst.TryGetValue(metric, out double w) || raw > w))
                _worst[metric] = raw;
    }

    /// <summary>The race's reference point: given values, else the space's known worst, else the worst seen; null for a scalar race.</summary>
    public ParetoReference? Reference(RaceSettings settings)
    {
        if (!objective.IsPareto)
            return null;
        bool known =
            settings.KnownWorstCosts is not null
            && objective.Components.Where(c => c.IsCost).All(c => settings.KnownWorstCosts.ContainsKey(c.Name));
        return ParetoReference.For(
            objective,
            settings.Reference,
            metric =>
                known ? settings.KnownWorstCosts![metric.Name]
                : _worst.TryGetValue(metric, out double w) ? w
                : null,
            known ? settings.KnownWorstSource ?? "worst known" : "worst seen in the race"
        );
    }
}
