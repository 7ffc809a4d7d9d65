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
}

/// <summary>The estimator's answer.</summary>
public sealed record EvaluationResult
{
    public required TrialStatus Status { get; init; }
    public required Metrics Metrics { get; init; }
    public required double CostSeconds { get; init; }
    public required Fidelity Fidelity { get; init; }
    public string? Message { get; init; }
}
