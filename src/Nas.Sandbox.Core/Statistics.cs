namespace Nas.Sandbox.Core;

/// <summary>The small statistics races and reports share: mean ± (population) std, average ranks, seeded shuffles.</summary>
public static class Statistics
{
    /// <summary>Mean and population standard deviation; both null for no values.</summary>
    public static (double? Mean, double? Std) MeanStd(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return (null, null);
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count));
    }

    /// <summary>1-based ranks in ascending order; tied values share the average of their ranks.</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            for (int k = start; k <= end; k++) ranks[order[k]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        return ranks;
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
