namespace Nas.Sandbox.Abstractions;

/// <summary>How an evaluation ended.</summary>
public enum TrialStatus
{
    /// <summary>Evaluated; metrics are valid.</summary>
    Ok,

    /// <summary>The estimator or the strategy failed; see <see cref="Trial.Message"/>.</summary>
    Failed,

    /// <summary>Training produced a NaN or exploding loss.</summary>
    Diverged,

    /// <summary>The evaluation did not finish in time.</summary>
    TimedOut,
}

/// <summary>What an estimator measured. Accuracies are fractions in [0, 1]. Test accuracy is never here.</summary>
public sealed record Metrics
{
    public double? ValidationAccuracy { get; init; }
    public double? ValidationLoss { get; init; }
    public double? TrainingLoss { get; init; }
    public long? Parameters { get; init; }

    /// <summary>FLOPs of one forward pass of one image (multiply-accumulates, as NAS-Bench-201 counts).</summary>
    public long? Flops { get; init; }

    /// <summary>Median wall milliseconds of one forward pass at batch 1 (eval mode, after warm-up) on the race's device.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>As <see cref="LatencyMs"/>, for a batch of 64 images (the whole batch, not per image).</summary>
    public double? LatencyMsBatch64 { get; init; }

    /// <summary>
    /// A figure of merit from an estimator that does not measure accuracy (a zero-cost proxy): higher is better, on the
    /// proxy's own scale. Never an accuracy.
    /// </summary>
    public double? Score { get; init; }
}

/// <summary>
/// The fidelity an architecture is evaluated at: how much training a low-fidelity estimator spends and how large the
/// network it builds is. Null fields mean "the estimator's default".
/// </summary>
public sealed record Fidelity
{
    public double? Epochs { get; init; }
    public int? TrainingImages { get; init; }
    public int? Channels { get; init; }
    public int? CellsPerStage { get; init; }
    public int? BatchSize { get; init; }
}

/// <summary>One finished evaluation as a strategy sees it.</summary>
public sealed record Trial
{
    /// <summary>0-based index of this trial in the contestant's heat.</summary>
    public required int Index { get; init; }
    public required Architecture Architecture { get; init; }
    public required TrialStatus Status { get; init; }
    public required Metrics Metrics { get; init; }

    /// <summary>Seconds the evaluation cost (measured, or simulated by a tabular estimator; 0 when served from cache).</summary>
    public required double CostSeconds { get; init; }
    public Fidelity Fidelity { get; init; } = new();

    /// <summary>True when the contestant had already paid for this architecture in this heat.</summary>
    public bool FromCache { get; init; }

    /// <summary>Why the trial failed, diverged or timed out.</summary>
    public string? Message { get; init; }

    /// <summary>
    /// What the race maximises, set by the referee for every ok trial before <see cref="IStrategy.Tell"/> (null
    /// otherwise): the validation accuracy by default (a proxy's score when the estimator measures no accuracy),
    /// <c>accuracy − λ·cost</c> in a scalarised race, the first component of <see cref="Objectives"/> in a Pareto race.
    /// A single-objective strategy ranks trials by this, so it optimises whatever the race asks for.
    /// </summary>
    public double? Objective { get; init; }

    /// <summary>
    /// In a Pareto race, the trial's objective vector, every component higher-is-better (costs negated, e.g.
    /// [accuracy, −params in millions]); named by <see cref="SearchContext.Objective"/>. Null in a single-objective race
    /// and for trials that are not ok.
    /// </summary>
    public IReadOnlyList<double>? Objectives { get; init; }

    /// <summary>
    /// The rung of <see cref="SearchContext.Fidelities"/> the trial ran at (API 2.2); null in a race without a ladder
    /// (or an estimator that does not train).
    /// </summary>
    public int? Rung { get; init; }

    /// <summary>The <see cref="Index"/> of the trial this one continued training from (API 2.2); null when trained from scratch.</summary>
    public int? Continues { get; init; }

    /// <summary>
    /// The learning curve, one point per epoch from the architecture's first (API 2.2): a continuation's includes its
    /// parent's epochs. Empty when the estimator does not train or reports no curve.
    /// </summary>
    public IReadOnlyList<EpochResult> Curve { get; init; } = [];
}
