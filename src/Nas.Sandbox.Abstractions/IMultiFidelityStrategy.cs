namespace Nas.Sandbox.Abstractions;

/// <summary>
/// A strategy that chooses how much to spend on each architecture (API 2.2): it asks for an architecture at a rung of
/// the race's fidelity ladder (<see cref="SearchContext.Fidelities"/>, epochs of training, e.g. 1, 3, 9), or asks to
/// continue one of its earlier trials to a higher rung, which costs only the extra epochs when the estimator can
/// continue training (the training estimator keeps the weights and optimiser state; a table serves the later epoch).
/// Successive halving, Hyperband, ASHA and BOHB are written against this.
/// <para>A strategy that does not implement it gets the top rung for every trial: the race's fidelity, as before.</para>
/// <para>Rebuild by replay holds as for <see cref="IParallelStrategy"/>: a new instance told the finished trials in the
/// order they finished and asked with the same <see cref="SearchContext.Pending"/> must give the same
/// <see cref="TrialAsk"/>.</para>
/// </summary>
public interface IMultiFidelityStrategy : IParallelStrategy
{
    /// <summary>The next trial: an architecture at a rung, or the continuation of an earlier trial.</summary>
    TrialAsk AskTrial(SearchContext context);

    /// <summary>A multi-fidelity strategy is asked through <see cref="AskTrial"/>; this serves hosts that only need the architecture.</summary>
    Architecture IStrategy.Ask(SearchContext context) => AskTrial(context).Architecture;
}

/// <summary>What a <see cref="IMultiFidelityStrategy"/> asks for (API 2.2).</summary>
public sealed record TrialAsk
{
    /// <summary>The architecture; for a continuation, the continued trial's.</summary>
    public required Architecture Architecture { get; init; }

    /// <summary>0-based index into <see cref="SearchContext.Fidelities"/>; the top rung when null.</summary>
    public int? Rung { get; init; }

    /// <summary>
    /// The <see cref="Trial.Index"/> of an earlier ok trial of this contestant to continue training, from its epochs up
    /// to <see cref="Rung"/>'s (which must be higher). Null: train from scratch.
    /// </summary>
    public int? Continues { get; init; }

    /// <summary>Evaluate <paramref name="architecture"/> from scratch at rung <paramref name="rung"/>.</summary>
    public static TrialAsk At(Architecture architecture, int rung) =>
        new() { Architecture = architecture, Rung = rung };

    /// <summary>Continue <paramref name="trial"/> (an ok trial of yours) up to rung <paramref name="rung"/>.</summary>
    public static TrialAsk Continue(Trial trial, int rung) =>
        new()
        {
            Architecture = trial.Architecture,
            Rung = rung,
            Continues = trial.Index,
        };
}

/// <summary>
/// One point of a trial's learning curve (API 2.2): the network after <see cref="Epoch"/> epochs of training, counted
/// from the start of the architecture's training (a continued trial's curve starts where its parent's ended).
/// </summary>
public sealed record EpochResult
{
    /// <summary>Epochs trained so far, from 1.</summary>
    public required int Epoch { get; init; }
    public double? ValidationAccuracy { get; init; }
    public double? ValidationLoss { get; init; }

    /// <summary>Mean training loss over this epoch.</summary>
    public double? TrainingLoss { get; init; }

    /// <summary>Seconds spent from the start of the architecture's training to the end of this epoch's validation.</summary>
    public double Seconds { get; init; }
}
