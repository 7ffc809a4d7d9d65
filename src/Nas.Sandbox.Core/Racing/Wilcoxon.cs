namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The Wilcoxon signed-rank test for paired samples (two-sided): exact null distribution up to 20 non-zero pairs,
/// the normal approximation with a continuity correction beyond. Zero differences are dropped (Wilcoxon's rule);
/// tied absolute differences share their average rank.
/// </summary>
public static class Wilcoxon
{
    public static double PValue(IReadOnlyList<double> differences)
    {
        var d = differences.Where(x => x != 0 && double.IsFinite(x)).ToArray();
        int n = d.Length;
        if (n == 0) return 1;
        var ranks = Statistics.AverageRanks(d.Select(Math.Abs).ToArray());
        double positive = Enumerable.Range(0, n).Where(i => d[i] > 0).Sum(i => ranks[i]);
        double total = n * (n + 1) / 2.0, statistic = Math.Min(positive, total - positive);
        if (n <= 20)
        {
            // Exact: how many of the 2^n sign patterns give a rank sum at most as extreme (ranks doubled to stay integral).
            var doubled = ranks.Select(r => (int)Math.Round(r * 2)).ToArray();
            int max = doubled.Sum();
            var counts = new double[max + 1];
            counts[0] = 1;
            foreach (int r in doubled)
                for (int s = max; s >= r; s--) counts[s] += counts[s - r];
            int limit = (int)Math.Round(statistic * 2);
            double tail = counts.Take(limit + 1).Sum() / Math.Pow(2, n);
            return Math.Min(1, 2 * tail);
        }
        double mean = total / 2, sd = Math.Sqrt(n * (n + 1) * (2 * n + 1) / 24.0);
        double z = (statistic - mean + 0.5) / sd;
        return Math.Min(1, 2 * NormalCdf(z));
    }

    private static double NormalCdf(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));

    // Abramowitz & Stegun 7.1.26 (error below 1.5e-7): ample for a p-value.
    private static double Erf(double x)
    {
        double sign = Math.Sign(x);
        x = Math.Abs(x);
        double t = 1 / (1 + 0.3275911 * x);
        double y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }
}
