using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// Prices an architecture by looking it up in a tabular benchmark: its validation accuracy, parameters, FLOPs and,
/// when the table has them, latencies at batch 1 and 64,
/// and its training seconds as the (simulated) cost, so that <c>--budget-seconds</c> races in simulated time.
/// Test accuracy stays out of the trial; the summary gets it through <see cref="IHeldOutScores"/>.
/// An architecture missing from the table is a failed trial that names the table.
/// With <see cref="TableSeeds.Sample"/> a lookup reports one training seed's validation accuracy and seconds, chosen by
/// the trial's seed; the held-out test accuracy stays the seed-mean (the score NAS-Bench papers report).
/// </summary>
public sealed class TabularEstimator(TabularTable table, TableSeeds seeds = TableSeeds.Mean)
    : IEstimator,
        IHeldOutScores
{
    public string Name => "tabular";
    public TabularTable Table => table;
    public TableSeeds Seeds => seeds;

    public Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    ) => Task.FromResult(Evaluate(architecture, request));

    public EvaluationResult Evaluate(Architecture architecture, EvaluationRequest request)
    {
        if (table.Find(architecture) is not { } row)
            return new EvaluationResult
            {
                Status = TrialStatus.Failed,
                Metrics = new Metrics(),
                CostSeconds = 0,
                Fidelity = request.Fidelity,
                Message = $"architecture {architecture.Key} is not in table {table.Path} ({table.Count} architectures)",
            };
        var run = SeedOf(row, request.Seed);
        return new EvaluationResult
        {
            Status = TrialStatus.Ok,
            Metrics = run is null ? MetricsOf(row) : MetricsOf(row) with { ValidationAccuracy = run.Validation },
            CostSeconds = run?.Seconds ?? row.Seconds ?? 0,
            Fidelity = request.Fidelity,
        };
    }

    /// <summary>The training seed a lookup reports (null: the row's mean). The trial's seed picks it, so a race stays reproducible.</summary>
    private TableSeed? SeedOf(TableRow row, long trialSeed) =>
        seeds == TableSeeds.Sample && row.Seeds is { Count: > 0 } runs
            ? runs[(int)((ulong)trialSeed % (ulong)runs.Count)]
            : null;

    /// <summary>What a lookup of <paramref name="row"/> reports (never its test accuracy).</summary>
    public static Metrics MetricsOf(TableRow row) =>
        new()
        {
            ValidationAccuracy = row.Validation,
            Parameters = row.Parameters,
            Flops = row.Flops,
            LatencyMs = row.LatencyMs,
            LatencyMsBatch64 = row.LatencyMsBatch64,
        };

    public double? TestAccuracy(string architectureKey) => table.Find(architectureKey)?.Test;
}
