using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;
using MathStatistics = MathNet.Numerics.Statistics.Statistics;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The Wilcoxon signed-rank test for paired samples, two-sided. Math.NET Numerics has no signed-rank test, so the test
/// is ours; its pieces are Math.NET's (average ranks, the normal distribution). Conventions, those of
/// <c>scipy.stats.wilcoxon(d, zero_method="wilcox", correction=True)</c>:
/// <list type="bullet">
/// <item>Zero differences are dropped before ranking (Wilcoxon's rule, scipy's default <c>zero_method</c>), so n counts
/// the non-zero pairs. Non-finite differences are dropped too.</item>
/// <item>Tied absolute differences share their average rank.</item>
/// <item>Up to <see cref="ExactLimit"/> non-zero pairs, the p-value is exact: the share of the 2^n sign patterns of these
/// (average) ranks whose rank sum is at least as extreme, so it stays exact with ties (the permutation distribution
/// given the ties, which is what an exact test with ties means).</item>
/// <item>Beyond, the normal approximation with the tie correction of its variance, n(n+1)(2n+1)/24 − Σ(t³−t)/48 over
/// groups of t tied ranks, and a continuity correction of ½ towards the mean.</item>
/// </list>
/// </summary>
public static class Wilcoxon
{
    /// <summary>The most non-zero pairs whose p-value is computed exactly.</summary>
    public const int ExactLimit = 20;

    public static double PValue(IReadOnlyList<double> differences)
    {
        var d = differences.Where(x => x != 0 && double.IsFinite(x)).ToArray();
        int n = d.Length;
        if (n == 0)
            return 1;
        var ranks = MathStatistics.Ranks(d.Select(Math.Abs), RankDefinition.Average);
        double positive = Enumerable.Range(0, n).Where(i => d[i] > 0).Sum(i => ranks[i]);
        double total = n * (n + 1) / 2.0,
            statistic = Math.Min(positive, total - positive);
        return n <= ExactLimit ? ExactPValue(ranks, statistic) : ApproximatePValue(ranks, statistic);
    }

    private static double ExactPValue(double[] ranks, double statistic)
    {
        // Average ranks are whole or half: doubled, they are integers, and a subset-sum count gives the distribution.
        var doubled = ranks.Select(r => (int)Math.Round(r * 2)).ToArray();
        int max = doubled.Sum();
        var counts = new double[max + 1];
        counts[0] = 1;
        foreach (int r in doubled)
            for (int s = max; s >= r; s--)
                counts[s] += counts[s - r];
        int limit = (int)Math.Round(statistic * 2);
        double tail = counts.Take(limit + 1).Sum() / Math.Pow(2, ranks.Length);
        return Math.Min(1, 2 * tail);
    }

    private static double ApproximatePValue(double[] ranks, double statistic)
    {
        int n = ranks.Length;
        double ties = ranks.GroupBy(r => r).Sum(g => Math.Pow(g.Count(), 3) - g.Count());
        double mean = n * (n + 1) / 4.0;
        double variance = n * (n + 1) * (2 * n + 1) / 24.0 - ties / 48;
        if (variance <= 0)
            return 1;
        // statistic ≤ mean: the correction moves it half a unit towards the mean (none when it is the mean).
        double z = (statistic - mean + (statistic < mean ? 0.5 : 0)) / Math.Sqrt(variance);
        return Math.Min(1, 2 * Normal.CDF(0, 1, z));
    }
}
