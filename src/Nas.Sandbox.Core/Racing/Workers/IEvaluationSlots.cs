namespace Nas.Sandbox.Core.Racing.Workers;

/// <summary>
/// An estimator that evaluates several trials at once on workers that spend real time (worker processes on this
/// machine, <see cref="WorkerPool"/>, or a cluster's slots): the referee keeps up to <see cref="Slots"/> trials in flight,
/// shared fairly by the contestants, and lands them in real completion order on the wall clock.
/// </summary>
public interface IEvaluationSlots
{
    /// <summary>How many trials may be in flight now (a cluster's count changes as workers join and leave; at least 1).</summary>
    int Slots { get; }
}
