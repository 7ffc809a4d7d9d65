using System.Diagnostics;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators.Tabular;

namespace Nas.Sandbox.Core.Estimators;

/// <summary>How well one estimator ranks architectures against a table's ground truth, and what it costs.</summary>
public sealed record EstimatorQuality(
    string Estimator,
    int Evaluated,
    int Failed,
    double KendallTau,
    double SpearmanRho,
    double SecondsPerEvaluation
);

/// <summary>
/// Measures estimators against a tabular benchmark: each prices the same sample of the table's architectures (the same
/// seeds for all), and its figures (accuracy, or a proxy's score) are rank-correlated with the table's.
/// </summary>
public static class EstimatorReport
{
    public static EstimatorQuality Measure(
        IEstimator estimator,
        IReadOnlyList<TableRow> sample,
        Func<TableRow, double> truth,
        long seed,
        Action<int>? progress = null,
        CancellationToken cancellation = default
    )
    {
        var figures = new List<double>();
        var truths = new List<double>();
        int failed = 0;
        double seconds = 0;
        for (int i = 0; i < sample.Count; i++)
        {
            var row = sample[i];
            var request = new EvaluationRequest
            {
                Seed = SeedMixer.Derive(seed, "report", row.Architecture.Key),
                DataSeed = seed,
            };
            var clock = Stopwatch.StartNew();
            var result = estimator.EvaluateAsync(row.Architecture, request, cancellation).GetAwaiter().GetResult();
            seconds += clock.Elapsed.TotalSeconds;
            if (
                result.Status == TrialStatus.Ok
                && (result.Metrics.ValidationAccuracy ?? result.Metrics.Score) is { } figure
            )
            {
                figures.Add(figure);
                truths.Add(truth(row));
            }
            else
                failed++;
            progress?.Invoke(i + 1);
        }
        return new EstimatorQuality(
            estimator.Name,
            figures.Count,
            failed,
            figures.Count < 2 ? double.NaN : RankCorrelation.KendallTauB(figures, truths),
            figures.Count < 2 ? double.NaN : RankCorrelation.Spearman(figures, truths),
            sample.Count == 0 ? 0 : seconds / sample.Count
        );
    }

    public static string Csv(IEnumerable<EstimatorQuality> rows)
    {
        var c = CultureInfo.InvariantCulture;
        return CsvFormat.Text(
            CsvColumns,
            rows.Select(r =>
                new[]
                {
                    r.Estimator,
                    r.Evaluated.ToString(c),
                    r.Failed.ToString(c),
                    r.KendallTau.ToString("0.####", c),
                    r.SpearmanRho.ToString("0.####", c),
                    r.SecondsPerEvaluation.ToString("0.####", c),
                }
            )
        );
    }

    public static readonly string[] CsvColumns =
    [
        "estimator",
        "evaluated",
        "failed",
        "kendall_tau",
        "spearman_rho",
        "seconds_per_evaluation",
    ];
}
