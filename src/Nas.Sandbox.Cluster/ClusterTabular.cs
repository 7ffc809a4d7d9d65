using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Racing.Workers;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// A tabular race on a cluster: each lookup is made by a worker, from its own copy of the table (checked by hash),
/// while the race keeps simulating its workers' time from the table's seconds, exactly as a local tabular race does;
/// so the same seed gives the same race, on a cluster or not. Held-out test scores (for the race's statistics) come
/// from the race's own copy, which is the same table.
/// </summary>
public sealed class ClusterTabular(ClusterDispatcher dispatcher, TabularEstimator local)
    : IEstimator,
        IHeldOutScores,
        IEstimatorNotices,
        IDisposable
{
    public string Name => local.Name;

    public ClusterDispatcher Dispatcher => dispatcher;

    public Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    ) => dispatcher.EvaluateAsync(architecture, request, cancellation);

    public double? TestAccuracy(string architectureKey) => local.TestAccuracy(architectureKey);

    public IReadOnlyList<(string Message, bool Warning)> TakeNotices() => dispatcher.TakeNotices();

    public void Dispose() => dispatcher.Dispose();
}
