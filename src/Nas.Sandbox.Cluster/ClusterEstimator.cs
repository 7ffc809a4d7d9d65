using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Workers;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// A race's estimator on a cluster: each trial goes to a free slot of a worker (<see cref="ClusterDispatcher"/>), up to
/// the cluster's live slots at once (or <c>--workers</c>, when given), on the wall clock, as with local worker processes.
/// </summary>
public sealed class ClusterEstimator(ClusterDispatcher dispatcher, string name, int? limit)
    : IEstimator,
        IEvaluationSlots,
        IEstimatorNotices,
        IDisposable
{
    public string Name => name;

    public ClusterDispatcher Dispatcher => dispatcher;

    public int Slots => Math.Max(1, limit is { } most ? Math.Min(most, dispatcher.LiveSlots) : dispatcher.LiveSlots);

    public Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    ) => dispatcher.EvaluateAsync(architecture, request, cancellation);

    public IReadOnlyList<(string Message, bool Warning)> TakeNotices() => dispatcher.TakeNotices();

    public void Dispose() => dispatcher.Dispose();
}
