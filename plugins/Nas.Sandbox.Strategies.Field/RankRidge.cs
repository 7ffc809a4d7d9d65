using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// The predictor of <see cref="PredictorLocalSearch"/>: a ridge regression of the ranks of objectives on an
/// architecture's operation features, built from the space's generic description only. Features: the one-hot of each
/// choice's operation (<see cref="ISearchSpace.Encode"/>, penalty <c>choiceRidge</c>), the number of choices taking each
/// operation (penalty <c>countRidge</c>), and an unpenalised intercept. The counts are sums of the one-hot columns, so
/// the two penalties decide how much of an effect is explained per operation (cheap, shared by all choices) and how
/// much per choice: a large choice penalty and a small count penalty mean "which operations, wherever they are" first.
/// </summary>
public sealed class RankRidge
{
    private readonly ISearchSpace _space;
    private readonly int _choiceFeatures,
        _operations,
        _dimension;
    private readonly double[] _penalty;
    private readonly double[,] _gram; // Σ x xᵀ over the rows added so far
    private readonly List<double[]> _rows = [];
    private readonly List<double> _objectives = [];

    public RankRidge(ISearchSpace space, double choiceRidge, double countRidge)
    {
        if (!(choiceRidge > 0) || !(countRidge > 0))
            throw new ArgumentOutOfRangeException(nameof(choiceRidge), "Both ridge penalties must be positive.");
        _space = space;
        _operations = space.Operations.Count;
        _choiceFeatures = space.ChoiceCount * _operations;
        _dimension = _choiceFeatures + _operations + 1;
        _penalty = new double[_dimension];
        for (int j = 0; j < _dimension - 1; j++)
            _penalty[j] = j < _choiceFeatures ? choiceRidge : countRidge;
        _gram = new double[_dimension, _dimension];
    }

    /// <summary>Rows added so far.</summary>
    public int Count => _rows.Count;

    /// <summary>Number of features, the intercept included.</summary>
    public int Dimension => _dimension;

    /// <summary>The feature row of an architecture: one-hot per choice, count per operation, then 1.</summary>
    public double[] Features(Architecture architecture)
    {
        var encoded = _space.Encode(architecture);
        var row = new double[_dimension];
        for (int j = 0; j < _choiceFeatures; j++)
        {
            row[j] = encoded[j];
            row[_choiceFeatures + j % _operations] += encoded[j];
        }
        row[_dimension - 1] = 1;
        return row;
    }

    /// <summary>Adds a scored architecture (an ok trial's objective).</summary>
    public void Add(Architecture architecture, double objective)
    {
        var row = Features(architecture);
        for (int a = 0; a < _dimension; a++)
        {
            if (row[a] == 0)
                continue;
            for (int b = 0; b < _dimension; b++)
                _gram[a, b] += row[a] * row[b];
        }
        _rows.Add(row);
        _objectives.Add(objective);
    }

    /// <summary>
    /// The weights fitted to the rows so far, against each row's rank among the objectives scaled to [0, 1] (ties share
    /// their mean rank). With no rows, all weights are 0 (every prediction ties).
    /// </summary>
    public double[] Fit()
    {
        var weights = new double[_dimension];
        int n = _rows.Count;
        if (n == 0)
            return weights;
        var targets = Ranks(_objectives);
        for (int i = 0; i < n; i++)
        {
            var row = _rows[i];
            double target = targets[i];
            for (int j = 0; j < _dimension; j++)
                weights[j] += row[j] * target;
        }
        var system = new double[_dimension, _dimension];
        for (int a = 0; a < _dimension; a++)
        for (int b = 0; b < _dimension; b++)
            system[a, b] = _gram[a, b] + (a == b ? _penalty[a] : 0);
        // The intercept is unpenalised; its own column (all ones) keeps the system positive definite once a row exists.
        Cholesky.SolveInPlace(system, weights);
        return weights;
    }

    /// <summary>The predicted rank (higher is better) of an architecture under <paramref name="weights"/>.</summary>
    public double Predict(double[] weights, Architecture architecture)
    {
        var row = Features(architecture);
        double sum = 0;
        for (int j = 0; j < _dimension; j++)
            sum += row[j] * weights[j];
        return sum;
    }

    /// <summary>Ranks scaled to [0, 1] (0 for the worst, 1 for the best; 0.5 for a single value); ties share their mean.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var ranks = new double[n];
        for (int start = 0; start < n; )
        {
            int end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]])
                end++;
            double rank = n == 1 ? 0.5 : (start + end) / 2.0 / (n - 1);
            for (int k = start; k <= end; k++)
                ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}

/// <summary>Solves a small symmetric positive definite system in place (the ridge's normal equations).</summary>
internal static class Cholesky
{
    /// <summary>Overwrites <paramref name="matrix"/> with its Cholesky factor and <paramref name="rhs"/> with the solution.</summary>
    public static void SolveInPlace(double[,] matrix, double[] rhs)
    {
        int d = rhs.Length;
        for (int j = 0; j < d; j++)
        {
            double diagonal = matrix[j, j];
            for (int k = 0; k < j; k++)
                diagonal -= matrix[j, k] * matrix[j, k];
            if (!(diagonal > 0))
                throw new InvalidOperationException("The ridge system is not positive definite.");
            diagonal = Math.Sqrt(diagonal);
            matrix[j, j] = diagonal;
            for (int i = j + 1; i < d; i++)
            {
                double sum = matrix[i, j];
                for (int k = 0; k < j; k++)
                    sum -= matrix[i, k] * matrix[j, k];
                matrix[i, j] = sum / diagonal;
            }
        }
        for (int i = 0; i < d; i++) // L y = b
        {
            double sum = rhs[i];
            for (int k = 0; k < i; k++)
                sum -= matrix[i, k] * rhs[k];
            rhs[i] = sum / matrix[i, i];
        }
        for (int i = d - 1; i >= 0; i--) // Lᵀ x = y
        {
            double sum = rhs[i];
            for (int k = i + 1; k < d; k++)
                sum -= matrix[k, i] * rhs[k];
            rhs[i] = sum / matrix[i, i];
        }
    }
}
