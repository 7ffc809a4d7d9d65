using System.Runtime.Intrinsics;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// One member of BANANAS' predictor ensemble, as its reference code builds and trains it (naszilla,
/// <c>meta_neural_net.py</c>, <c>MetaNeuralnet.get_dense_model</c> and <c>fit</c>, with <c>params.py</c>'s
/// <c>meta_neuralnet_params('standard')</c>): a Keras feed-forward network of ReLU hidden layers and a linear output,
/// Keras' default initialisation (Glorot-uniform weights, zero biases), trained on mean absolute error by Adam with
/// β₁ = 0.9, β₂ = 0.99 and Keras' ε = 1e-7, in minibatches reshuffled every epoch (Keras' <c>fit</c> shuffles by default).
/// Plain arrays rather than TorchSharp because the networks are tiny (tens of units, at most a few thousand rows):
/// libtorch's per-call overhead would cost more than the arithmetic, and plain loops are exactly reproducible from a
/// seed, which replay needs.
/// </summary>
public sealed class NeuralPredictor
{
    private const double Beta1 = 0.9,
        Beta2 = 0.99,
        Epsilon = 1e-7;
    private readonly int[] _sizes;
    private readonly double[][] _weights; // layer l: [_sizes[l], _sizes[l + 1]] row-major (input-major)
    private readonly double[][] _biases;

    public NeuralPredictor(int inputs, int hiddenUnits, int hiddenLayers, Random random)
    {
        _sizes = [inputs, .. Enumerable.Repeat(hiddenUnits, hiddenLayers), 1];
        _weights = new double[_sizes.Length - 1][];
        _biases = new double[_sizes.Length - 1][];
        for (int l = 0; l < _weights.Length; l++)
        {
            // Glorot-uniform, Keras' default for Dense kernels: U(±√(6 / (fan-in + fan-out))); biases start at zero.
            double bound = Math.Sqrt(6.0 / (_sizes[l] + _sizes[l + 1]));
            _weights[l] = new double[_sizes[l + 1] * _sizes[l]];
            for (int i = 0; i < _weights[l].Length; i++)
                _weights[l][i] = (2 * random.NextDouble() - 1) * bound;
            _biases[l] = new double[_sizes[l + 1]];
        }
    }

    /// <summary>
    /// Fits the rows to the targets: <paramref name="epochs"/> passes over them in a fresh random order, one Adam step
    /// on the mean absolute error of each minibatch of <paramref name="batchSize"/> rows (the last one may be smaller).
    /// </summary>
    public void Fit(
        IReadOnlyList<float[]> rows,
        IReadOnlyList<double> targets,
        int epochs,
        int batchSize,
        double learningRate,
        Random random
    )
    {
        int layers = _weights.Length,
            n = rows.Count;
        var mW = _weights.Select(w => new double[w.Length]).ToArray();
        var vW = _weights.Select(w => new double[w.Length]).ToArray();
        var mB = _biases.Select(b => new double[b.Length]).ToArray();
        var vB = _biases.Select(b => new double[b.Length]).ToArray();
        var gW = _weights.Select(w => new double[w.Length]).ToArray();
        var gB = _biases.Select(b => new double[b.Length]).ToArray();
        var activations = _sizes.Select(s => new double[s]).ToArray();
        var deltas = _sizes.Select(s => new double[s]).ToArray();
        var order = Enumerable.Range(0, n).ToArray();
        int step = 0;

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            for (int start = 0; start < n; start += batchSize)
            {
                int end = Math.Min(n, start + batchSize);
                foreach (var g in gW)
                    Array.Clear(g);
                foreach (var g in gB)
                    Array.Clear(g);
                for (int b = start; b < end; b++)
                {
                    int r = order[b];
                    Forward(rows[r], activations);
                    // d|ŷ − y|/dŷ is the sign (0 at a perfect fit, as TensorFlow's), averaged over the minibatch.
                    deltas[layers][0] = Math.Sign(activations[layers][0] - targets[r]) / (double)(end - start);
                    Backward(activations, deltas, gW, gB);
                }
                step++;
                // Keras' Adam: the bias corrections fold into the step size, ε is added to the uncorrected √v.
                double stepSize = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step));
                for (int l = 0; l < layers; l++)
                {
                    AdamStep(_weights[l], gW[l], mW[l], vW[l], stepSize);
                    AdamStep(_biases[l], gB[l], mB[l], vB[l], stepSize);
                }
            }
        }
    }

    public double Predict(float[] row)
    {
        var activations = _sizes.Select(s => new double[s]).ToArray();
        Forward(row, activations);
        return activations[^1][0];
    }

    // Weights are stored input-major ([input][output]): the forward pass adds each nonzero input's row of weights to the
    // layer's outputs, so the binary encodings' zeros and the ReLUs' zeros cost nothing, and every inner loop is contiguous.
    private void Forward(float[] row, double[][] activations)
    {
        for (int i = 0; i < row.Length; i++)
            activations[0][i] = row[i];
        for (int l = 0; l < _weights.Length; l++)
        {
            int inputs = _sizes[l],
                outputs = _sizes[l + 1];
            var w = _weights[l];
            var below = activations[l];
            var above = activations[l + 1];
            Array.Copy(_biases[l], above, outputs);
            for (int i = 0; i < inputs; i++)
            {
                double x = below[i];
                if (x == 0)
                    continue;
                AddScaled(w.AsSpan(i * outputs, outputs), x, above.AsSpan(0, outputs));
            }
            if (l < _weights.Length - 1)
                for (int o = 0; o < outputs; o++)
                    if (above[o] < 0)
                        above[o] = 0;
        }
    }

    /// <summary>Adds one row's gradient to <paramref name="gW"/> and <paramref name="gB"/>, from the output's delta down.</summary>
    private void Backward(double[][] activations, double[][] deltas, double[][] gW, double[][] gB)
    {
        for (int l = _weights.Length - 1; l >= 0; l--)
        {
            int inputs = _sizes[l],
                outputs = _sizes[l + 1];
            var w = _weights[l];
            var below = activations[l];
            var delta = deltas[l + 1];
            var gradient = gW[l];
            var biasGradient = gB[l];
            for (int o = 0; o < outputs; o++)
                biasGradient[o] += delta[o];
            for (int i = 0; i < inputs; i++)
            {
                double x = below[i];
                if (x == 0)
                    continue;
                AddScaled(delta.AsSpan(0, outputs), x, gradient.AsSpan(i * outputs, outputs));
            }
            if (l == 0)
                break;
            var back = deltas[l];
            for (int i = 0; i < inputs; i++)
            {
                // ReLU's gradient: nothing flows back through a unit that was zero.
                if (below[i] <= 0)
                {
                    back[i] = 0;
                    continue;
                }
                back[i] = Dot(w.AsSpan(i * outputs, outputs), delta.AsSpan(0, outputs));
            }
        }
    }

    /// <summary>
    /// y += a·x, elementwise: vectorised where the hardware allows, with the same result either way (no sum is
    /// reordered and no multiply-add fused), so a race replays identically on any machine.
    /// </summary>
    private static void AddScaled(ReadOnlySpan<double> x, double a, Span<double> y)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(a);
            for (; i <= x.Length - Vector256<double>.Count; i += Vector256<double>.Count)
                (Vector256.Create(y.Slice(i)) + Vector256.Create(x.Slice(i)) * scale).CopyTo(y.Slice(i));
        }
        for (; i < x.Length; i++)
            y[i] += x[i] * a;
    }

    /// <summary>Σ x·y in index order (a sum: kept scalar so that its rounding is the same on every machine).</summary>
    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += x[i] * y[i];
        return sum;
    }

    private static void AdamStep(double[] parameters, double[] gradient, double[] m, double[] v, double stepSize)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            m[i] = Beta1 * m[i] + (1 - Beta1) * gradient[i];
            v[i] = Beta2 * v[i] + (1 - Beta2) * gradient[i] * gradient[i];
            parameters[i] -= stepSize * m[i] / (Math.Sqrt(v[i]) + Epsilon);
        }
    }
}
