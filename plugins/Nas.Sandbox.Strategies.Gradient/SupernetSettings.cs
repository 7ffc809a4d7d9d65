using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// Settings shared by DARTS and GDAS (their knobs). The defaults are NAS-Bench-201's configs/nas-benchmark/algos/
/// DARTS.config and GDAS.config and the arguments of its scripts-search/algos/DARTS-V1.sh and GDAS.sh: weights by SGD
/// (learning rate 0.025 annealed by cosine to 0.001 over the search's epochs, momentum 0.9, Nesterov, weight decay 5e-4,
/// gradient norm clipped at 5), α by Adam (3e-4, betas 0.5 and 0.999, weight decay 1e-3).
/// </summary>
public sealed record SupernetSettings
{
    /// <summary>Rounds (one weight step and one architecture step each) trained before each Ask's proposal.</summary>
    public int StepsPerAsk { get; init; } = 4;

    /// <summary>Epochs the search is planned for: the cosine schedule's length (DARTS-V1: 50; GDAS: 240).</summary>
    public int Epochs { get; init; } = 50;

    /// <summary>SGD learning rate of the supernet's weights at the first epoch.</summary>
    public double LearningRate { get; init; } = 0.025;

    /// <summary>Where the cosine schedule ends (NB201's <c>eta_min</c>).</summary>
    public double LearningRateMin { get; init; } = 0.001;
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum (NB201's configs: <c>nesterov 1</c>). Not a knob.</summary>
    public bool Nesterov { get; init; } = true;
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Gradient-norm clip of the weights step (NB201: 5). Not a knob.</summary>
    public double GradientClip { get; init; } = 5;

    /// <summary>Adam learning rate of the architecture parameters α (betas 0.5 and 0.999).</summary>
    public double ArchLearningRate { get; init; } = 3e-4;

    /// <summary>Adam weight decay of α.</summary>
    public double ArchWeightDecay { get; init; } = 1e-3;

    public CosineSchedule LearningRates => new(LearningRate, LearningRateMin, Epochs);

    /// <summary>The knobs, with <paramref name="epochs"/> as the default of <c>epochs</c> (DARTS 50, GDAS 240).</summary>
    /// <summary>
    /// Why a supernet strategy cannot search <paramref name="space"/>, or null: it trains NAS-Bench-201's supernet
    /// (the kit's NB201 skeleton with a mixed operation on each of the cell's 6 edges), so it searches the nb201 space.
    /// </summary>
    public static string? CannotSearch(ISearchSpace space) =>
        space.Name == "nb201" && space.ChoiceCount == SearchCell.Edges.Length
            ? null
            : $"it trains NAS-Bench-201's supernet, a cell of {SearchCell.Edges.Length} edges over operations, so it searches only the nb201 space, not '{space.Name}'.";

    public static IReadOnlyList<Knob> KnobsWith(int epochs) =>
        [
            new(
                "steps-per-ask",
                "4",
                "supernet training rounds (a weight step, then an α step) before each proposal; an epoch at the default fidelity is 79"
            ),
            new(
                "epochs",
                epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "epochs the search is planned for: the length of the cosine learning-rate schedule"
            ),
            new("learning-rate", "0.025", "SGD learning rate of the supernet's weights at the first epoch"),
            new(
                "learning-rate-min",
                "0.001",
                "learning rate the cosine schedule reaches after 'epochs' epochs (and keeps)"
            ),
            new("momentum", "0.9", "SGD (Nesterov) momentum of the weights"),
            new("weight-decay", "0.0005", "weight decay of the weights"),
            new("arch-learning-rate", "0.0003", "Adam learning rate of the architecture parameters"),
            new("arch-weight-decay", "0.001", "Adam weight decay of the architecture parameters"),
        ];

    public static SupernetSettings From(KnobValues knobs, string strategy)
    {
        var settings = new SupernetSettings
        {
            StepsPerAsk = knobs.GetInt("steps-per-ask", min: 1, max: 100_000),
            Epochs = knobs.GetInt("epochs", min: 1, max: 100_000),
            LearningRate = knobs.GetDouble("learning-rate", min: 1e-9),
            LearningRateMin = knobs.GetDouble("learning-rate-min", min: 0),
            Momentum = knobs.GetDouble("momentum", min: 1e-9, max: 0.999999),
            WeightDecay = knobs.GetDouble("weight-decay", min: 0),
            ArchLearningRate = knobs.GetDouble("arch-learning-rate", min: 1e-9),
            ArchWeightDecay = knobs.GetDouble("arch-weight-decay", min: 0),
        };
        if (settings.LearningRateMin > settings.LearningRate)
            throw new KnobException(
                $"Knob 'learning-rate-min' of '{strategy}' ({settings.LearningRateMin}) must not exceed 'learning-rate' ({settings.LearningRate})."
            );
        return settings;
    }
}
