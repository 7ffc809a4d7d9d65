namespace Nas.Sandbox.Core.Racing.Workers;

/// <summary>
/// An estimator with news the race should journal (a cluster's workers joining, lost, leaving, refusing): the referee
/// takes them between turns and journals each as an <see cref="EstimatorNotice"/>, on its own thread, so the journal
/// keeps one writer.
/// </summary>
public interface IEstimatorNotices
{
    /// <summary>The notices since the last call, oldest first (empty when none); Warning when something went wrong.</summary>
    IReadOnlyList<(string Message, bool Warning)> TakeNotices();
}
