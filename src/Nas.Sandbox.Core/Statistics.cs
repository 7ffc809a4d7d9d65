namespace Nas.Sandbox.Core;

/// <summary>The small statistics races and reports share: mean ± (population) std and seeded shuffles. (Ranks,
/// the normal distribution and rank correlations are Math.NET Numerics': see Racing/Wilcoxon and Estimators/RankCorrelation.)</summary>
public static class Statistics
{
    /// <summary>Mean and population standard deviation; both null for no values.</summary>
    public static (double? Mean, double? Std) MeanStd(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
            return (null, null);
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count));
    }

    /// <summary>The items in a random order drawn from <paramref name="random"/> (Fisher–Yates).</summary>
    public static List<T> Shuffled<T>(IEnumerable<T> items, Random random)
    {
        var list = items.ToList();
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }
}
