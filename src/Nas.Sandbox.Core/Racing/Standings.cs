using Nas.Sandbox.Core.Racing.Objectives;

namespace Nas.Sandbox.Core.Racing;

/// <summary>A point of a contestant's Pareto front: its trial index, architecture and objective vector (costs negated).</summary>
public sealed record ParetoPoint(int Index, string Architecture, IReadOnlyList<double> Objectives);

/// <summary>
/// One contestant's result in one heat. <see cref="BestArchitecture"/> is its pick, the ok trial with the best
/// objective (<see cref="BestObjective"/>; the most accurate in an accuracy race); <see cref="BestValidationAccuracy"/>
/// is the highest validation accuracy it saw. In a Pareto race, <see cref="Front"/> is its Pareto front.
/// <see cref="Seconds"/> is everything charged (evaluations and search); <see cref="SearchSeconds"/> the part charged
/// for the strategy's own training on the race's data (DARTS, GDAS). In a race with several workers,
/// <see cref="MeanWorkers"/> is how many of its workers were busy on average over its worker clock, and
/// <see cref="ClockSeconds"/> that clock at the end of the heat (its simulated wall-clock time). In a race with a
/// fidelity ladder, <see cref="Epochs"/> is the epochs of training it paid for, and its pick is the best at the highest
/// rung it reached.
/// </summary>
public sealed record HeatStanding(
    string Contestant,
    int Evaluations,
    int Failures,
    double Seconds,
    double? BestValidationAccuracy,
    string? BestArchitecture,
    double? BestObjective = null,
    IReadOnlyList<ParetoPoint>? Front = null,
    double SearchSeconds = 0,
    double? MeanWorkers = null,
    double? ClockSeconds = null,
    double? Epochs = null
);

/// <summary>One contestant over all heats, as in the <c>--json</c> summary.</summary>
public sealed record ContestantSummary(
    string Label,
    string Strategy,
    string Source,
    string Version,
    int Evaluations,
    int Failures,
    double Seconds,
    double? BestValidationAccuracy,
    double? BestValidationAccuracyStd,
    string? BestArchitecture,
    int Rank,
    double? TestAccuracyOfBest = null,
    double? TestAccuracyOfBestStd = null,
    double? BestObjective = null,
    double? BestObjectiveStd = null,
    double? Hypervolume = null,
    double? HypervolumeStd = null,
    double SearchSeconds = 0,
    double? MeanWorkers = null,
    double? ClockSeconds = null,
    double? Epochs = null
);

/// <summary>
/// The race's outcome: contestants ranked by the mean over heats of their best objective (best validation accuracy in
/// the default race), or in a Pareto race by the mean hypervolume of their fronts against <see cref="Reference"/>.
/// </summary>
public sealed record RaceSummary(
    RaceSettings Settings,
    IReadOnlyList<ContestantSummary> Contestants,
    double WallSeconds
)
{
    /// <summary>The reference point hypervolumes are measured against (Pareto races only).</summary>
    public ParetoReference? Reference { get; init; }

    /// <summary>Every heat's standings, in heat order (the fronts of a Pareto race are there).</summary>
    public IReadOnlyList<IReadOnlyList<HeatStanding>> Heats { get; init; } = [];

    public static RaceSummary From(
        RaceSettings settings,
        IReadOnlyList<ContestantInfo> contestants,
        IReadOnlyList<IReadOnlyList<HeatStanding>> heats,
        double wallSeconds,
        Func<string, double?>? testAccuracyOf = null,
        ParetoReference? reference = null
    )
    {
        var rows = contestants
            .Select(c =>
            {
                var mine = heats.SelectMany(h => h).Where(s => s.Contestant == c.Label).ToArray();
                var bests = mine.Where(s => s.BestValidationAccuracy is not null)
                    .Select(s => s.BestValidationAccuracy!.Value)
                    .ToArray();
                var (mean, std) = Statistics.MeanStd(bests);
                // The pick of its best heat by the race's objective (by validation accuracy in the default race).
                string? bestArchitecture = mine.Where(s => s.BestObjective is not null)
                    .OrderByDescending(s => s.BestObjective)
                    .FirstOrDefault()
                    ?.BestArchitecture;
                // Held-out test accuracy of the architecture each heat would pick by validation (tabular races only).
                var tests = testAccuracyOf is null
                    ? []
                    : mine.Where(s => s.BestArchitecture is not null)
                        .Select(s => testAccuracyOf(s.BestArchitecture!))
                        .Where(t => t is not null)
                        .Select(t => t!.Value)
                        .ToArray();
                var (testMean, testStd) = Statistics.MeanStd(tests);
                var (objectiveMean, objectiveStd) = Statistics.MeanStd(
                    mine.Where(s => s.BestObjective is not null).Select(s => s.BestObjective!.Value).ToArray()
                );
                // A heat without a successful trial has an empty front: hypervolume 0, not a missing heat.
                var volumes = reference is null
                    ? []
                    : mine.Select(s => reference.HypervolumeOf((s.Front ?? []).Select(p => p.Objectives)))
                        .Where(v => v is not null)
                        .Select(v => v!.Value)
                        .ToArray();
                var (volumeMean, volumeStd) = Statistics.MeanStd(volumes);
                return new ContestantSummary(
                    c.Label,
                    c.Strategy,
                    c.Source,
                    c.Version,
                    mine.Sum(s => s.Evaluations),
                    mine.Sum(s => s.Failures),
                    mine.Sum(s => s.Seconds),
                    mean,
                    std,
                    bestArchitecture,
                    0,
                    testMean,
                    testStd,
                    objectiveMean,
                    objectiveStd,
                    volumeMean,
                    volumeStd,
                    mine.Sum(s => s.SearchSeconds),
                    // Several workers: mean busy workers over its clock across heats, and its clock (simulated wall-clock) per heat on average.
                    mine.Any(s => s.ClockSeconds is not null)
                        ? Math.Round(
                            mine.Sum(s => (s.MeanWorkers ?? 0) * (s.ClockSeconds ?? 0))
                                / Math.Max(1e-12, mine.Sum(s => s.ClockSeconds ?? 0)),
                            4
                        )
                        : null,
                    mine.Any(s => s.ClockSeconds is not null) ? mine.Average(s => s.ClockSeconds ?? 0) : null,
                    // A ladder race: epochs of training paid, summed over heats like evaluations and seconds.
                    mine.Any(s => s.Epochs is not null)
                        ? mine.Sum(s => s.Epochs ?? 0)
                        : null
                );
            })
            .OrderByDescending(r => (reference is null ? r.BestObjective : r.Hypervolume) ?? double.NegativeInfinity)
            .ToArray();
        return new RaceSummary(settings, rows.Select((r, i) => r with { Rank = i + 1 }).ToArray(), wallSeconds)
        {
            Reference = reference,
            Heats = heats.ToArray(),
        };
    }
}
