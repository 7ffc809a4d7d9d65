namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// A small fully connected regression network (ReLU hidden layers, linear output) trained full-batch with Adam on mean
/// squared error: one member of BANANAS' predictor ensemble. Plain arrays rather than TorchSharp because the networks are
/// tiny (tens of units, at most a few thousand rows): libtorch's per-call overhead would cost more than the arithmetic,
/// and plain loops are exactly reproducible from a seed, which replay needs.
/// </summary>
internal sealed class NeuralPredictor
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly int[] _sizes;
    private readonly double[][] _weights; // layer l: [_sizes[l + 1], _sizes[l]] row-major
    private readonly double[][] _biases;

    public NeuralPredictor(int inputs, int hiddenUnits, int hiddenLayers, Random random)
    {
        _sizes = [inputs, .. Enumerable.Repeat(hiddenUnits, hiddenLayers), 1];
        _weights = new double[_sizes.Length - 1][];
        _biases = new double[_sizes.Length - 1][];
        for (int l = 0; l < _weights.Length; l++)
        {
            // He-uniform initialisation, as torch's default for ReLU networks scales by fan-in.
            double bound = Math.Sqrt(6.0 / _sizes[l]);
            _weights[l] = new double[_sizes[l + 1] * _sizes[l]];
            for (int i = 0; i < _weights[l].Length; i++) _weights[l][i] = (2 * random.NextDouble() - 1) * bound;
            _biases[l] = new double[_sizes[l + 1]];
        }
    }

    /// <summary>Fits the rows to the targets: <paramref name="epochs"/> full-batch Adam steps.</summary>
    public void Fit(IReadOnlyList<float[]> rows, IReadOnlyList<double> targets, int epochs, double learningRate)
    {
        int layers = _weights.Length, n = rows.Count;
        var mW = _weights.Select(w => new double[w.Length]).ToArray();
        var vW = _weights.Select(w => new double[w.Length]).ToArray();
        var mB = _biases.Select(b => new double[b.Length]).ToArray();
        var vB = _biases.Select(b => new double[b.Length]).ToArray();
        var gW = _weights.Select(w => new double[w.Length]).ToArray();
        var gB = _biases.Select(b => new double[b.Length]).ToArray();
        var activations = _sizes.Select(s => new double[s]).ToArray();
        var deltas = _sizes.Select(s => new double[s]).ToArray();

        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            foreach (var g in gW) Array.Clear(g);
            foreach (var g in gB) Array.Clear(g);
            for (int r = 0; r < n; r++)
            {
                Forward(rows[r], activations);
                deltas[layers][0] = 2 * (activations[layers][0] - targets[r]) / n;
                for (int l = layers - 1; l >= 0; l--)
                {
                    int inputs = _sizes[l], outputs = _sizes[l + 1];
                    var w = _weights[l];
                    var below = activations[l];
                    var delta = deltas[l + 1];
                    for (int o = 0; o < outputs; o++)
                    {
                        double d = delta[o];
                        if (d == 0) continue;
                        gB[l][o] += d;
                        int row = o * inputs;
                        for (int i = 0; i < inputs; i++) gW[l][row + i] += d * below[i];
                    }
                    if (l == 0) break;
                    var back = deltas[l];
                    for (int i = 0; i < inputs; i++)
                    {
                        if (below[i] <= 0) { back[i] = 0; continue; } // ReLU's gradient
                        double sum = 0;
                        for (int o = 0; o < outputs; o++) sum += w[o * inputs + i] * delta[o];
                        back[i] = sum;
                    }
                }
            }
            double correction1 = 1 - Math.Pow(Beta1, epoch), correction2 = 1 - Math.Pow(Beta2, epoch);
            for (int l = 0; l < layers; l++)
            {
                AdamStep(_weights[l], gW[l], mW[l], vW[l], learningRate, correction1, correction2);
                AdamStep(_biases[l], gB[l], mB[l], vB[l], learningRate, correction1, correction2);
            }
        }
    }

    public double Predict(float[] row)
    {
        var activations = _sizes.Select(s => new double[s]).ToArray();
        Forward(row, activations);
        return activations[^1][0];
    }

    private void Forward(float[] row, double[][] activations)
    {
        for (int i = 0; i < row.Length; i++) activations[0][i] = row[i];
        for (int l = 0; l < _weights.Length; l++)
        {
            int inputs = _sizes[l], outputs = _sizes[l + 1];
            var w = _weights[l];
            var below = activations[l];
            var above = activations[l + 1];
            bool hidden = l < _weights.Length - 1;
            for (int o = 0; o < outputs; o++)
            {
                double sum = _biases[l][o];
                int offset = o * inputs;
                for (int i = 0; i < inputs; i++) sum += w[offset + i] * below[i];
                above[o] = hidden && sum < 0 ? 0 : sum;
            }
        }
    }

    private static void AdamStep(double[] parameters, double[] gradient, double[] m, double[] v, double learningRate, double correction1, double correction2)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            m[i] = Beta1 * m[i] + (1 - Beta1) * gradient[i];
            v[i] = Beta2 * v[i] + (1 - Beta2) * gradient[i] * gradient[i];
            parameters[i] -= learningRate * (m[i] / correction1) / (Math.Sqrt(v[i] / correction2) + Epsilon);
        }
    }
}
