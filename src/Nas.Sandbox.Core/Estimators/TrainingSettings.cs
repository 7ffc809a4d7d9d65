using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Estimators;

/// <summary>
/// Low-fidelity training: how long, on how much data and how large a network. The defaults are the race's embedded
/// default: a one-minute-scale race on 2 CPU cores whose winner passes 0.70 validation accuracy on Fashion-MNIST.
/// </summary>
public sealed record TrainingSettings
{
    public int Epochs { get; init; } = 1;

    /// <summary>
    /// The cosine schedule's horizon in epochs; null: <see cref="Epochs"/>. A race with a fidelity ladder sets it to the
    /// top rung, so that every rung is a prefix of one training run: 1 epoch, then 2 more, is exactly 3 epochs (same
    /// learning rates, batch order, momentum), and a continued trial equals one trained from scratch to its epochs.
    /// The price: a trial stopped below the top rung ends with its learning rate not annealed.
    /// </summary>
    public int? ScheduleEpochs { get; init; }

    /// <summary>The cosine schedule's horizon: <see cref="ScheduleEpochs"/>, never less than <see cref="Epochs"/>.</summary>
    public int Horizon => Math.Max(Epochs, ScheduleEpochs ?? Epochs);
    public int TrainingImages { get; init; } = 5000;
    public int ValidationImages { get; init; } = 2000;
    public int Channels { get; init; } = 8;
    public int CellsPerStage { get; init; } = 1;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;
    public bool Nesterov { get; init; } = true;

    /// <summary>Gradient-norm clip, as NAS-Bench-201 trains (5).</summary>
    public double GradientClip { get; init; } = 5;

    /// <summary>A training loss above this (or NaN/∞) marks the trial diverged.</summary>
    public double DivergenceLoss { get; init; } = 1e4;

    /// <summary>Share of the official training set held out as search-validation (10,000 of 60,000 by default).</summary>
    public double ValidationShare { get; init; } = 1.0 / 6;

    /// <summary>
    /// Measure the trained network's latency at batch 1 and 64 (<see cref="Metrics.LatencyMs"/>,
    /// <see cref="Metrics.LatencyMsBatch64"/>); null: do not (it costs time, so only races whose objective needs it do).
    /// The time it takes counts in the trial's cost.
    /// </summary>
    public Evaluation.Model.LatencySettings? Latency { get; init; }

    public Fidelity ToFidelity() =>
        new()
        {
            Epochs = Epochs,
            TrainingImages = TrainingImages,
            Channels = Channels,
            CellsPerStage = CellsPerStage,
            BatchSize = BatchSize,
        };

    /// <summary>These settings with the non-null fields of <paramref name="fidelity"/> applied.</summary>
    public TrainingSettings With(Fidelity? fidelity) =>
        fidelity is null
            ? this
            : this with
            {
                Epochs = fidelity.Epochs is { } e ? Math.Max(1, (int)Math.Round(e)) : Epochs,
                TrainingImages = fidelity.TrainingImages ?? TrainingImages,
                Channels = fidelity.Channels ?? Channels,
                CellsPerStage = fidelity.CellsPerStage ?? CellsPerStage,
                BatchSize = fidelity.BatchSize ?? BatchSize,
            };

    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
                throw new NasException(message);
        }
        Check(Epochs >= 1, $"--epochs must be at least 1, not {Epochs}.");
        Check(TrainingImages >= 1, $"--train-images must be at least 1, not {TrainingImages}.");
        Check(ValidationImages >= 1, $"--validation-images must be at least 1, not {ValidationImages}.");
        Check(Channels >= 2, $"--channels must be at least 2, not {Channels}.");
        Check(CellsPerStage >= 1, $"--cells must be at least 1, not {CellsPerStage}.");
        Check(ScheduleEpochs is null or >= 1, $"schedule epochs must be at least 1, not {ScheduleEpochs}.");
        Check(BatchSize >= 1, $"--batch-size must be at least 1, not {BatchSize}.");
        Check(
            LearningRate > 0 && double.IsFinite(LearningRate),
            $"learning rate must be a positive finite number, not {LearningRate}."
        );
        Check(
            ValidationShare > 0 && ValidationShare < 1,
            $"validation share must be in (0, 1), not {ValidationShare}."
        );
        Latency?.Validate();
    }
}
