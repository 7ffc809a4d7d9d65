using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// BANANAS' acquisition, independent Thompson sampling (naszilla, <c>acquisition_functions.py</c>, <c>acq_fn</c> with
/// <c>explore_type='its'</c>): each candidate's score is drawn once, independently of the others, from a normal
/// distribution with the ensemble's mean and standard deviation for that candidate (the population deviation, as
/// <c>np.var</c> computes it); the candidates are ranked by their draws and the best are evaluated. The reference ranks
/// predicted losses lowest first; here scores are the race's objective, highest first.
/// </summary>
public static class IndependentThompsonSampling
{
    /// <summary>
    /// Indices of the <paramref name="count"/> candidates with the highest draws, best first.
    /// <paramref name="predictions"/>[c][m] is ensemble member m's prediction for candidate c. Every candidate gets its
    /// draw whatever the count, so the first picks do not depend on it: a count of <c>predictions.Count</c> ranks the
    /// whole pool, and its first k are the picks of a count of k (BANANAS goes down the ranking with trials in flight).
    /// </summary>
    public static int[] Pick(IReadOnlyList<double[]> predictions, int count, Random random)
    {
        var draws = new double[predictions.Count];
        for (int c = 0; c < predictions.Count; c++)
        {
            var members = predictions[c];
            double mean = members.Average();
            double spread = Math.Sqrt(members.Sum(v => (v - mean) * (v - mean)) / members.Length);
            draws[c] = mean + spread * random.NextGaussian();
        }
        return Enumerable.Range(0, draws.Length).OrderByDescending(c => draws[c]).Take(count).ToArray();
    }
}
