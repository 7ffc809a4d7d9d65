namespace Nas.Sandbox.Abstractions;

/// <summary>
/// The version of the contract assemblies, Nas.Sandbox.Abstractions and Nas.Sandbox.Abstractions.Torch, which share it.
/// Plugins built against another major version, or a newer minor one, of either are refused.
/// <para>1.1 added the race's objective (Trial.Objective/Objectives, SearchContext.Objective, ParetoRanking,
/// Metrics.LatencyMsBatch64), the training kit (SearchContext.Training, ITrainingKit) and KnobValues.GetBool.
/// 1.2 added ITrainingKit.BuildOperation with batch-norm options (a supernet's non-affine, statistics-free batch norms),
/// StableHash (FNV-1a of text, shared by strategies and the host's SeedMixer), Gaussian (Random.NextGaussian) and
/// IPathEncoding, an optional contract a search space may implement: the BANANAS path encoding of a cell (the built-in
/// NB201 space implements it).</para>
/// <para>2.0 makes this assembly free of TorchSharp, so that a strategy or estimator author needs no libtorch to
/// reference the contracts. What must stay tensor-based, because it builds modules or hands out tensors, moved to a
/// second contract assembly, Nas.Sandbox.Abstractions.Torch (same namespace, so sources compile unchanged; same frozen
/// version, shared with plugins the same way): IOperation, and ITrainingKit with its tensor and module members.
/// SearchContext cannot name ITrainingKit any more, so it carries the kit as <see cref="SearchContext.TrainingSetup"/>,
/// typed by the torch-free base interface <see cref="ITrainingSetup"/> (the kit's classes, fidelity and seed, moved
/// there from ITrainingKit) rather than as an object, so the host can only put a kit there and a torch-free strategy
/// can still read those members. The Torch assembly adds back <c>context.Training</c>, typed ITrainingKit, as a C# 14
/// extension property, so strategy code reading it compiles unchanged. Moving types between assemblies breaks binary
/// compatibility (a 1.x plugin's reference to IOperation names Nas.Sandbox.Abstractions), hence a major version:
/// plugins built against 1.x are refused with the rebuild message, and compile again against 2.0 once they reference
/// Nas.Sandbox.Abstractions.Torch if they use IOperation or ITrainingKit, and build SearchContext with TrainingSetup
/// instead of Training (host-side code only: strategies read it).</para>
/// <para>2.1 added trials in flight: IParallelStrategy (a strategy that may be asked again before its trials come back,
/// with MaxInFlight), SearchContext.Pending and PendingTrial. Additive: plugins built against 2.0 load and race
/// unchanged, never asked while a trial of theirs is pending.</para>
/// <para>2.2 added multi-fidelity search: IMultiFidelityStrategy and TrialAsk (an architecture at a rung of the race's
/// fidelity ladder, or the continuation of an earlier trial), SearchContext.Fidelities, EpochBudget and EpochsUsed,
/// Trial.Rung, Continues and Curve (EpochResult), PendingTrial.Rung and Continues, EvaluationRequest.Checkpoint
/// (TrainingCheckpoint) and EvaluationResult.Curve. Additive: plugins built against 2.0 or 2.1 race unchanged at the
/// top rung.</para>
/// <para>2.3 added search spaces as plugins: ISpaceProvider (a space under a name, with its network builder and its
/// console picture) and NetworkShape, in Nas.Sandbox.Abstractions.Torch, and ISpaceRequirement (a strategy factory that
/// cannot search every space says so before the race). Additive: plugins built against 2.0 to 2.2
/// load unchanged.</para>
/// <para>2.4 added SafeTorch, in Nas.Sandbox.Abstractions.Torch: addition and a 2-d batch norm whose Scalars are held
/// through libtorch's calls (TorchSharp 0.107 makes unheld ones, which a garbage collection can free mid-call), for
/// operations and spaces in plugins and scripts. Additive: plugins built against 2.0 to 2.3 load unchanged.</para>
/// </summary>
public static class ApiVersion
{
    /// <summary>Kept equal to the frozen AssemblyVersion (major.minor) of both contract assemblies.</summary>
    public static readonly Version Current = new(2, 4);
}
