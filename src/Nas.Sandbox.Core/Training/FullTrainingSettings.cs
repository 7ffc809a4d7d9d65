namespace Nas.Sandbox.Core.Training;

/// <summary>
/// Full-fidelity training of one architecture (<c>nas train</c>): NAS-Bench-201's network (C=16, N=5) and optimiser
/// (SGD, Nesterov momentum 0.9, weight decay 5e-4, learning rate 0.1 annealed by a per-batch cosine to 0, batch 256,
/// gradient-norm clip 5), over all training images but a seeded validation split, with random-crop and flip
/// augmentation. The epoch count is this machine's choice, not NB201's 200: see docs/guide/training.md.
/// </summary>
public sealed record FullTrainingSettings
{
    public int Epochs { get; init; } = 10;
    public int Channels { get; init; } = 16;
    public int CellsPerStage { get; init; } = 5;
    public int BatchSize { get; init; } = 256;
    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;
    public double GradientClip { get; init; } = 5;

    /// <summary>Images of the official training set held out for validation (a shuffle seeded by <see cref="SplitSeed"/>).</summary>
    public int ValidationImages { get; init; } = 5000;

    /// <summary>Training images used (the first of the rest after the split); null: all of them.</summary>
    public int? TrainingImages { get; init; }

    /// <summary>The validation split's seed: the same for every training seed, so seeds differ only in the training.</summary>
    public long SplitSeed { get; init; }

    /// <summary>Zero padding (in pixels, each side) of the random crop; 0 turns augmentation off, flips too.</summary>
    public int CropPadding { get; init; } = 2;
    public bool HorizontalFlip { get; init; } = true;

    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
                throw new NasException(message);
        }
        Check(Epochs >= 1, $"--epochs must be at least 1, not {Epochs}.");
        Check(Channels >= 2, $"--channels must be at least 2, not {Channels}.");
        Check(CellsPerStage >= 1, $"--cells must be at least 1, not {CellsPerStage}.");
        Check(BatchSize >= 1, $"--batch must be at least 1, not {BatchSize}.");
        Check(
            LearningRate > 0 && double.IsFinite(LearningRate),
            $"--lr must be a positive finite number, not {LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}."
        );
        Check(ValidationImages >= 1, $"--validation-images must be at least 1, not {ValidationImages}.");
        Check(TrainingImages is null or >= 1, $"--train-images must be at least 1, not {TrainingImages}.");
        Check(CropPadding is >= 0 and <= 8, $"--crop-padding must be in 0..8, not {CropPadding}.");
    }
}
