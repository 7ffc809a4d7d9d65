using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// A contestant's ask, resolved by the referee: the architecture, the rung it runs at (null without a fidelity ladder)
/// and its fidelity, and the finished trial it continues, if any.
/// </summary>
internal sealed record TrialPlan(
    Architecture Architecture,
    Fidelity Fidelity,
    int? Rung = null,
    Trial? Continues = null
)
{
    /// <summary>With <c>--early-stop</c>: the curves of the contestant's earlier trials when this one was asked.</summary>
    public IReadOnlyList<IReadOnlyList<EpochResult>>? EarlyStopReference { get; init; }

    /// <summary>What the contestant's cache and flight know it by: the architecture at its rung.</summary>
    public TrialKey Key => new(Architecture, Rung);
}

/// <summary>
/// An architecture at a rung: two asks with the same key are the same training run (every rung is a prefix of one run,
/// see <c>TrainingSettings.ScheduleEpochs</c>), so a repeat is served from the cache whether it was asked from scratch or
/// as a continuation.
/// </summary>
internal readonly record struct TrialKey(Architecture Architecture, int? Rung)
{
    public static TrialKey Of(Trial trial) => new(trial.Architecture, trial.Rung);
}
