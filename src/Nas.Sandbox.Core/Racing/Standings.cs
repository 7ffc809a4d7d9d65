namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// One contestant's result in one heat. <see cref="Seconds"/> is everything charged (evaluations and search);
/// <see cref="SearchSeconds"/> the part charged for the strategy's own training on the race's data.
/// </summary>
public sealed record HeatStanding(
    string Contestant, int Evaluations, int Failures, double Seconds, double? BestValidationAccuracy, string? BestArchitecture,
    double SearchSeconds = 0);

/// <summary>One contestant over all heats, as in the <c>--json</c> summary.</summary>
public sealed record ContestantSummary(
    string Label, string Strategy, string Source, string Version, int Evaluations, int Failures, double Seconds,
    double? BestValidationAccuracy, double? BestValidationAccuracyStd, string? BestArchitecture, int Rank,
    double? TestAccuracyOfBest = null, double? TestAccuracyOfBestStd = null, double SearchSeconds = 0);

/// <summary>The race's outcome: contestants ranked by mean best validation accuracy over heats.</summary>
public sealed record RaceSummary(RaceSettings Settings, IReadOnlyList<ContestantSummary> Contestants, double WallSeconds)
{
    public static RaceSummary From(RaceSettings settings, IReadOnlyList<ContestantInfo> contestants,
        IReadOnlyList<IReadOnlyList<HeatStanding>> heats, double wallSeconds, Func<string, double?>? testAccuracyOf = null)
    {
        var rows = contestants.Select(c =>
        {
            var mine = heats.SelectMany(h => h).Where(s => s.Contestant == c.Label).ToArray();
            var bests = mine.Where(s => s.BestValidationAccuracy is not null).Select(s => s.BestValidationAccuracy!.Value).ToArray();
            var (mean, std) = Statistics.MeanStd(bests);
            string? bestArchitecture = mine.Where(s => s.BestValidationAccuracy is not null)
                .OrderByDescending(s => s.BestValidationAccuracy).FirstOrDefault()?.BestArchitecture;
            // Held-out test accuracy of the architecture each heat would pick by validation (tabular races only).
            var tests = testAccuracyOf is null ? [] : mine.Where(s => s.BestArchitecture is not null)
                .Select(s => testAccuracyOf(s.BestArchitecture!)).Where(t => t is not null).Select(t => t!.Value).ToArray();
            var (testMean, testStd) = Statistics.MeanStd(tests);
            return new ContestantSummary(c.Label, c.Strategy, c.Source, c.Version, mine.Sum(s => s.Evaluations),
                mine.Sum(s => s.Failures), mine.Sum(s => s.Seconds), mean, std, bestArchitecture, 0, testMean, testStd,
                mine.Sum(s => s.SearchSeconds));
        }).OrderByDescending(r => r.BestValidationAccuracy ?? double.NegativeInfinity).ToArray();
        return new RaceSummary(settings, rows.Select((r, i) => r with { Rank = i + 1 }).ToArray(), wallSeconds);
    }
}
