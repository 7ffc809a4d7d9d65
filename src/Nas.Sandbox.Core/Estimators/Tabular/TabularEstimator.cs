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
/// <para>With <paramref name="epochs"/> (a race with a fidelity ladder) a lookup serves the epoch the trial asks for from
/// the row's learning curve (<c>validation_curve</c>), costing the seconds to that epoch (<c>train_seconds_curve</c>), less
/// those of the epoch a continuation starts from; the curve is the seed-mean. The test accuracy stays the row's (its
/// last epoch): the score of a pick is what it reaches trained to the end.</para>
public sealed class TabularEstimator(TabularTable table, TableSeeds seeds = TableSeeds.Mean, bool epochs = false)
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
                Message =
                    $"architecture {architecture.Key} is not in table {table.Path} ({table.Count} architectures of space "
                    + $"{table.Space}; a table of a sample scores only those)",
            };
        if (epochs)
            return Epoch(architecture, row, request);
        var run = SeedOf(row, request.Seed);
        return new EvaluationResult
        {
            Status = TrialStatus.Ok,
            Metrics = run is null ? MetricsOf(row) : MetricsOf(row) with { ValidationAccuracy = run.Validation },
            CostSeconds = run?.Seconds ?? row.Seconds ?? 0,
            Fidelity = request.Fidelity,
        };
    }

    private EvaluationResult Epoch(Architecture architecture, TableRow row, EvaluationRequest request)
    {
        int epoch = (int)Math.Round(request.Fidelity.Epochs ?? row.Curve?.Count ?? 0);
        if (row.Curve is not { } curve || row.SecondsCurve is not { } seconds || epoch < 1 || epoch > curve.Count)
            return new EvaluationResult
            {
                Status = TrialStatus.Failed,
                Metrics = new Metrics(),
                CostSeconds = 0,
                Fidelity = request.Fidelity,
                Message =
                    $"table {table.Path}, line {row.Line}: no epoch {epoch} for {architecture.Key} "
                    + $"(its curve has {row.Curve?.Count ?? 0} epochs{(row.SecondsCurve is null ? " and no seconds curve" : "")})",
            };
        int from = request.Checkpoint is { ResumeEpochs: > 0 and var held } && held < epoch ? held : 0;
        var points = Enumerable
            .Range(1, epoch)
            .Select(e => new EpochResult
            {
                Epoch = e,
                ValidationAccuracy = curve[e - 1],
                Seconds = seconds[e - 1],
            })
            .ToArray();
        return new EvaluationResult
        {
            Status = TrialStatus.Ok,
            Metrics = MetricsOf(row) with { ValidationAccuracy = curve[epoch - 1] },
            CostSeconds = seconds[epoch - 1] - (from > 0 ? seconds[from - 1] : 0),
            Fidelity = request.Fidelity,
            Curve = points,
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
