namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Prices an architecture: trains it at low fidelity, looks it up, scores it with a proxy, ... An estimator never
/// throws for a bad architecture or a diverging run: it returns an <see cref="EvaluationResult"/> with the matching status.
/// </summary>
public interface IEstimator
{
    string Name { get; }

    Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    );
}

/// <summary>What the referee asks of an estimator for one trial.</summary>
public sealed record EvaluationRequest
{
    /// <summary>Seed for everything random in the evaluation (weight init, batch order), fixed per heat and architecture.</summary>
    public required long Seed { get; init; }

    /// <summary>Seed of the heat's data split: the same for every contestant of a heat.</summary>
    public required long DataSeed { get; init; }
    public Fidelity Fidelity { get; init; } = new();

    /// <summary>
    /// Where this trial's training state is kept and continued from (API 2.2); null when the race will not continue it.
    /// An estimator that cannot continue training ignores it and trains the whole <see cref="Fidelity"/> from scratch:
    /// its cost then says so.
    /// </summary>
    public TrainingCheckpoint? Checkpoint { get; init; }
}

/// <summary>
/// Files an estimator that trains uses to continue a trial (API 2.2). The race owns them: they live in its work folder
/// and are deleted when the heat ends.
/// </summary>
public sealed record TrainingCheckpoint
{
    /// <summary>
    /// Where to write the weights and optimiser state after training (whole or not at all: write, then rename); null when
    /// the trial cannot be continued (it is at the top rung).
    /// </summary>
    public string? SaveTo { get; init; }

    /// <summary>A checkpoint written by an earlier trial of the same architecture to continue from; null: from scratch.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>The epochs <see cref="ResumeFrom"/> holds (its trial's <see cref="Fidelity.Epochs"/>).</summary>
    public int ResumeEpochs { get; init; }

    /// <summary>The curve up to <see cref="ResumeEpochs"/>, which the continued trial's curve extends.</summary>
    public IReadOnlyList<EpochResult> ResumeCurve { get; init; } = [];
}

/// <summary>The estimator's answer.</summary>
public sealed record EvaluationResult
{
    public required TrialStatus Status { get; init; }
    public required Metrics Metrics { get; init; }
    public required double CostSeconds { get; init; }
    public required Fidelity Fidelity { get; init; }
    public string? Message { get; init; }

    /// <summary>
    /// The learning curve, one point per epoch from the architecture's first (API 2.2); for a continuation, the
    /// checkpoint's curve followed by the new epochs. Empty when the estimator does not train.
    /// </summary>
    public IReadOnlyList<EpochResult> Curve { get; init; } = [];
}
