namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Pareto dominance for objective vectors where every component is maximised (as <see cref="Trial.Objectives"/> are):
/// the one definition the leaderboard and multi-objective strategies share. Pure functions, no state.
/// </summary>
public static class ParetoRanking
{
    /// <summary>True when <paramref name="a"/> is at least as good as <paramref name="b"/> everywhere and better somewhere.</summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
            throw new ArgumentException($"Objective vectors of different lengths ({a.Count} and {b.Count}).");
        bool better = false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] < b[i])
                return false;
            if (a[i] > b[i])
                better = true;
        }
        return better;
    }

    /// <summary>
    /// Fast non-dominated sort (Deb et al. 2002): the indices of <paramref name="points"/> in fronts, best first. Front 0
    /// is the non-dominated set; front k is non-dominated once fronts 0..k−1 are removed. Within a front, indices ascend.
    /// </summary>
    public static List<List<int>> NonDominatedSort(IReadOnlyList<IReadOnlyList<double>> points)
    {
        int n = points.Count;
        var dominated = new List<int>[n]; // the points i dominates
        var dominators = new int[n]; // how many points dominate i
        var fronts = new List<List<int>> { new() };
        for (int i = 0; i < n; i++)
        {
            dominated[i] = [];
            for (int j = 0; j < n; j++)
            {
                if (i == j)
                    continue;
                if (Dominates(points[i], points[j]))
                    dominated[i].Add(j);
                else if (Dominates(points[j], points[i]))
                    dominators[i]++;
            }
            if (dominators[i] == 0)
                fronts[0].Add(i);
        }
        while (true)
        {
            var next = new List<int>();
            foreach (int i in fronts[^1])
            foreach (int j in dominated[i])
                if (--dominators[j] == 0)
                    next.Add(j);
            if (next.Count == 0)
                break;
            next.Sort();
            fronts.Add(next);
        }
        if (n == 0)
            fronts.Clear();
        return fronts;
    }

    /// <summary>The indices of the non-dominated points (front 0 of <see cref="NonDominatedSort"/>), ascending.</summary>
    public static List<int> NonDominated(IReadOnlyList<IReadOnlyList<double>> points)
    {
        var front = new List<int>();
        for (int i = 0; i < points.Count; i++)
        {
            bool dominated = false;
            for (int j = 0; j < points.Count && !dominated; j++)
                dominated = j != i && Dominates(points[j], points[i]);
            if (!dominated)
                front.Add(i);
        }
        return front;
    }

    /// <summary>
    /// Crowding distance (Deb et al. 2002) of each point of one front, in the order given: for each objective, the
    /// points are sorted, the two extremes get +∞, and every other point adds the gap between its neighbours divided by
    /// the objective's range on the front. Larger means less crowded. Ties keep the given order (a stable sort).
    /// </summary>
    public static double[] CrowdingDistance(IReadOnlyList<IReadOnlyList<double>> front)
    {
        int n = front.Count;
        var distance = new double[n];
        if (n == 0)
            return distance;
        if (n <= 2)
        {
            Array.Fill(distance, double.PositiveInfinity);
            return distance;
        }
        int objectives = front[0].Count;
        for (int m = 0; m < objectives; m++)
        {
            int component = m;
            var order = Enumerable.Range(0, n).OrderBy(i => front[i][component]).ToArray();
            double min = front[order[0]][m],
                max = front[order[^1]][m];
            distance[order[0]] = distance[order[^1]] = double.PositiveInfinity;
            if (max - min <= 0)
                continue; // every point equal in this objective: it separates nothing
            for (int k = 1; k < n - 1; k++)
                distance[order[k]] += (front[order[k + 1]][m] - front[order[k - 1]][m]) / (max - min);
        }
        return distance;
    }
}
