using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Objectives;

namespace Nas.Sandbox.Core.Racing.Tracking;

/// <summary>
/// How the live standings score a contestant, from the race's objective: its best objective (the validation accuracy in
/// the default race), or in a Pareto race the hypervolume of its front in the heat. The reference point is the one the
/// final summary will use when it is known beforehand (given, or the table's worst); otherwise the worst cost seen so
/// far, so live hypervolumes of a training race can shift a little until the race ends.
/// </summary>
public sealed class TrackScoring
{
    private readonly RaceSettings? _settings;
    private readonly WorstCosts? _worst;

    public TrackScoring(RaceSettings? settings)
    {
        _settings = settings;
        if (settings?.Objective.IsPareto == true)
            _worst = new WorstCosts(settings.Objective);
    }

    public bool IsPareto => _worst is not null;

    /// <summary>What the leaderboard's score column holds: "hv", "obj" or "best" (accuracy).</summary>
    public string Title =>
        IsPareto ? "hv"
        : _settings?.Objective.IsAccuracy == false ? "obj"
        : "best";

    /// <summary>A trial's objective; trials scored before objectives existed fall back to their accuracy.</summary>
    public static double? Value(Trial trial) => trial.Objective ?? trial.Metrics.ValidationAccuracy;

    public void Observe(RaceEvent raceEvent) => _worst?.OnEvent(raceEvent);

    public double? Hypervolume(IReadOnlyCollection<IReadOnlyList<double>> vectors) =>
        _worst?.Reference(_settings!) is { } reference ? reference.HypervolumeOf(vectors) : null;
}
