namespace Nas.Sandbox.Abstractions;

/// <summary>
/// A contestant: an ask/tell search algorithm. One instance per contestant per heat. A strategy holds only its own
/// state; the referee owns the history and can rebuild a strategy by creating a new instance and replaying every
/// <see cref="Tell"/>. For that to give the same next ask, draw all randomness from <see cref="SearchContext.Random"/>
/// (derived from the heat's seed and the ask's index), never from a <see cref="Random"/> of your own.
/// An instance that also implements <see cref="IDisposable"/> (it holds native memory, e.g. a supernet) is disposed by
/// the referee when a new instance replaces it and when its heat ends, restarts or it is removed.
/// </summary>
public interface IStrategy
{
    /// <summary>The next architecture to evaluate. It must belong to <see cref="SearchContext.Space"/>.</summary>
    Architecture Ask(SearchContext context);

    /// <summary>A finished trial of this contestant (ok, failed, diverged or timed out).</summary>
    void Tell(Trial trial);
}

/// <summary>What a strategy may know when it is asked for an architecture.</summary>
public sealed record SearchContext
{
    public required ISearchSpace Space { get; init; }

    /// <summary>Randomness for this ask only, derived from the heat's seed, the contestant and the ask index.</summary>
    public required Random Random { get; init; }

    /// <summary>0-based index of the trial this ask will become.</summary>
    public required int AskIndex { get; init; }

    /// <summary>Evaluations allowed per heat, when the budget counts evaluations.</summary>
    public int? EvaluationBudget { get; init; }

    /// <summary>Seconds allowed per heat, when the budget counts seconds.</summary>
    public double? SecondsBudget { get; init; }
    public int EvaluationsUsed { get; init; }
    public double SecondsUsed { get; init; }

    /// <summary>
    /// The race's training kit for this contestant and heat, seen without TorchSharp; null when the race has none. Set by
    /// the host, always to the whole kit: strategies that train weights (DARTS, GDAS) read it as <c>context.Training</c>,
    /// an <c>ITrainingKit</c> (tensors and modules), through the extension property of Nas.Sandbox.Abstractions.Torch.
    /// Touching it makes the referee charge the call's wall time to this contestant's seconds. (API 2.0; it replaces the
    /// 1.x property <c>Training</c>, so this assembly needs no TorchSharp.)
    /// </summary>
    public ITrainingSetup? TrainingSetup { get; init; }

    /// <summary>What the race maximises: <see cref="Trial.Objective"/> and, in a Pareto race, the components of <see cref="Trial.Objectives"/>.</summary>
    public ObjectiveDescription Objective { get; init; } = ObjectiveDescription.Accuracy;

    /// <summary>
    /// This contestant's trials that are still being evaluated, in the order they were asked (API 2.1). Always empty for
    /// a strategy that is not an <see cref="IParallelStrategy"/>, which is never asked while a trial of its own is pending.
    /// </summary>
    public IReadOnlyList<PendingTrial> Pending { get; init; } = [];

    /// <summary>
    /// The race's fidelity ladder, in epochs of training, increasing (API 2.2): what an
    /// <see cref="IMultiFidelityStrategy"/> may ask for by rung (index). A race without <c>--fidelities</c> has one rung,
    /// its fidelity; empty when the estimator does not train (a zero-cost proxy). Every other strategy's trials run at the
    /// top rung.
    /// </summary>
    public IReadOnlyList<int> Fidelities { get; init; } = [];

    /// <summary>Epochs of training allowed per heat, when the budget counts epochs (API 2.2).</summary>
    public double? EpochBudget { get; init; }

    /// <summary>Epochs of training this contestant's trials have used so far in the heat (API 2.2).</summary>
    public double EpochsUsed { get; init; }
}
