namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// A kernel density over architectures coded as one category per choice: the product, over choices, of
/// Aitchison–Aitken kernels (Aitchison &amp; Aitken 1976, the unordered kernel of statsmodels' KDEMultivariate that BOHB
/// fits), averaged over the points. With c categories and bandwidth λ in [0, (c−1)/c], the kernel of a point's value v
/// gives 1 − λ to v and λ/(c − 1) to each other category: λ = 0 is the point itself, λ = (c−1)/c uniform.
/// <para>Each choice's bandwidth is the one that maximises the leave-one-out likelihood of the points on that choice
/// (statsmodels' <c>cv_ml</c>, one dimension at a time, which for this kernel depends only on the counts), at least
/// <c>minBandwidth</c>.</para>
/// </summary>
internal sealed class CategoricalKde
{
    private readonly int[][] _points;
    private readonly int _levels;
    private readonly double[] _bandwidths;

    public CategoricalKde(IReadOnlyList<int[]> points, int levels, double minBandwidth)
    {
        if (points.Count == 0)
            throw new ArgumentException("A density needs at least one point.", nameof(points));
        _points = points.ToArray();
        _levels = levels;
        int dimensions = _points[0].Length;
        _bandwidths = new double[dimensions];
        for (int j = 0; j < dimensions; j++)
        {
            var counts = new int[levels];
            foreach (var point in _points)
                counts[point[j]]++;
            _bandwidths[j] = LeaveOneOutBandwidth(counts, Math.Min(minBandwidth, MaxBandwidth));
        }
    }

    public IReadOnlyList<double> Bandwidths => _bandwidths;

    /// <summary>(c−1)/c: the bandwidth at which the kernel is uniform, the top of its range.</summary>
    public double MaxBandwidth => (_levels - 1) / (double)_levels;

    public double Density(int[] x)
    {
        double sum = 0;
        foreach (var point in _points)
        {
            double product = 1;
            for (int j = 0; j < x.Length; j++)
                product *= Kernel(x[j], point[j], _bandwidths[j]);
            sum += product;
        }
        return sum / _points.Length;
    }

    /// <summary>
    /// A draw from the density with every bandwidth multiplied by <paramref name="widen"/> (at most uniform): a point at
    /// random, then each choice kept with probability 1 − λ, else one of the other categories at random.
    /// </summary>
    public int[] Sample(Random random, double widen)
    {
        var point = _points[random.Next(_points.Length)];
        var x = new int[point.Length];
        for (int j = 0; j < x.Length; j++)
        {
            double bandwidth = Math.Min(widen * _bandwidths[j], MaxBandwidth);
            x[j] = point[j];
            if (_levels > 1 && random.NextDouble() < bandwidth)
            {
                int other = random.Next(_levels - 1);
                x[j] = other >= point[j] ? other + 1 : other;
            }
        }
        return x;
    }

    private double Kernel(int x, int centre, double bandwidth) =>
        _levels <= 1 ? 1
        : x == centre ? 1 - bandwidth
        : bandwidth / (_levels - 1);

    /// <summary>
    /// The λ in [<paramref name="min"/>, (c−1)/c] that maximises Σ_i log f_{−i}(v_i) on one choice. A point whose value
    /// v is held by m of the n points sees f_{−i}(v) = (1 − λ)(m − 1)/(n − 1) + λ/(c − 1)·(n − m)/(n − 1), affine in λ,
    /// so the log-likelihood is concave and its derivative is bisected. One point alone says nothing of spread: uniform.
    /// </summary>
    private double LeaveOneOutBandwidth(int[] counts, double min)
    {
        int n = counts.Sum();
        double max = MaxBandwidth;
        if (n < 2 || _levels < 2)
            return max;
        double Slope(double lambda)
        {
            double slope = 0;
            foreach (int m in counts)
            {
                if (m == 0)
                    continue;
                double a = (m - 1) / (double)(n - 1);
                double b = (n - m) / ((_levels - 1) * (double)(n - 1)) - a;
                slope += m * b / (a + b * lambda);
            }
            return slope;
        }
        if (Slope(min) <= 0)
            return min;
        if (Slope(max) >= 0)
            return max;
        double low = min,
            high = max;
        for (int i = 0; i < 60; i++)
        {
            double middle = (low + high) / 2;
            if (Slope(middle) > 0)
                low = middle;
            else
                high = middle;
        }
        return (low + high) / 2;
    }
}
