using System.Diagnostics;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>How latency is measured: warm-up passes (not timed), then timed passes whose median is reported.</summary>
public sealed record LatencySettings
{
    /// <summary>Untimed forward passes first: allocator, kernel selection and caches settle.</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>Timed forward passes; the median is robust to a pass disturbed by other work on the machine.</summary>
    public int Repeats { get; init; } = 10;

    public void Validate()
    {
        if (Warmup < 0)
            throw new NasException($"--latency-warmup must be at least 0, not {Warmup}.");
        if (Repeats < 1)
            throw new NasException($"--latency-repeats must be at least 1, not {Repeats}.");
    }
}

/// <summary>
/// Measures a network's inference latency on its own device: eval mode, <c>no_grad</c>, one input of zeros per batch
/// size, <see cref="LatencySettings.Warmup"/> untimed passes, then the median wall time of
/// <see cref="LatencySettings.Repeats"/> timed passes. On CUDA each pass is synchronised before the clock stops.
/// </summary>
public static class LatencyMeter
{
    /// <summary>Median milliseconds of one forward pass of a batch of <paramref name="batch"/> images.</summary>
    public static double MedianMilliseconds(
        nn.Module<Tensor, Tensor> model,
        int inputChannels,
        int imageSize,
        int batch,
        LatencySettings settings
    )
    {
        settings.Validate();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var parameter = model.parameters().FirstOrDefault();
            var device = parameter?.device ?? CPU;
            using var input = zeros(
                batch,
                inputChannels,
                imageSize,
                imageSize,
                dtype: parameter?.dtype ?? ScalarType.Float32,
                device: device
            );
            var times = new double[settings.Repeats];
            for (int i = 0; i < settings.Warmup + settings.Repeats; i++)
            {
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                model.call(input);
                if (device.type == TorchSharp.DeviceType.CUDA)
                    cuda.synchronize(device);
                if (i >= settings.Warmup)
                    times[i - settings.Warmup] = clock.Elapsed.TotalMilliseconds;
            }
            return Median(times);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    public static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
