using MathNet.Numerics.Statistics;

namespace Nas.Sandbox.Core.Estimators;

/// <summary>
/// Rank correlations of an estimator's figures against ground truth (ties handled: average ranks, tau-b). Spearman's is
/// Math.NET Numerics'; Math.NET has no Kendall's τ, so τ-b is ours.
/// </summary>
public static class RankCorrelation
{
    /// <summary>Spearman's ρ: Pearson's correlation of the average ranks (Math.NET Numerics'); NaN when either side is constant.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        double rho = Correlation.Spearman(x, y);
        return double.IsFinite(rho) ? rho : double.NaN;
    }

    /// <summary>Kendall's τ-b: (concordant − discordant) / √((n₀ − ties in x)(n₀ − ties in y)).</summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        long concordant = 0,
            discordant = 0,
            tiesX = 0,
            tiesY = 0;
        for (int i = 0; i < x.Count; i++)
        for (int j = i + 1; j < x.Count; j++)
        {
            int a = Math.Sign(x[i] - x[j]),
                b = Math.Sign(y[i] - y[j]);
            if (a == 0 && b == 0)
                continue;
            if (a == 0)
                tiesX++;
            else if (b == 0)
                tiesY++;
            else if (a == b)
                concordant++;
            else
                discordant++;
        }
        double denominator = Math.Sqrt((double)(concordant + discordant + tiesX) * (concordant + discordant + tiesY));
        return denominator == 0 ? double.NaN : (concordant - discordant) / denominator;
    }

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"{x.Count} figures against {y.Count} truths.");
    }
}
