using Nas.Sandbox.Core.Evaluation.Data;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Training;

/// <summary>
/// One epoch's batches, built on the fly from the dataset's bytes: a shuffled order, then for each image a random
/// crop of the image padded by <see cref="FullTrainingSettings.CropPadding"/> pixels of black (the background of
/// Fashion-MNIST) and a horizontal flip with probability ½, normalised with the training set's statistics. Every draw
/// comes from one generator seeded by (seed, epoch), so an epoch is the same whether or not the run was resumed.
/// </summary>
internal sealed class TrainingBatches(ImageDataset data, int[] indices, FullTrainingSettings settings)
{
    public int Count => indices.Length;
    public int BatchesPerEpoch => (indices.Length + settings.BatchSize - 1) / settings.BatchSize;

    public IEnumerable<(Tensor Images, Tensor Labels)> Epoch(long seed, int epoch)
    {
        var random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(seed, "epoch", epoch)));
        var order = (int[])indices.Clone();
        random.Shuffle(order);
        int h = data.Height,
            w = data.Width,
            channels = data.Channels,
            pad = settings.CropPadding;
        for (int first = 0; first < order.Length; first += settings.BatchSize)
        {
            int length = Math.Min(settings.BatchSize, order.Length - first);
            var pixels = new float[length * data.ItemSize];
            var labels = new long[length];
            for (int n = 0; n < length; n++)
            {
                int source = order[first + n] * data.ItemSize;
                int dy = pad == 0 ? 0 : random.Next(-pad, pad + 1),
                    dx = pad == 0 ? 0 : random.Next(-pad, pad + 1);
                bool flip = pad > 0 && settings.HorizontalFlip && random.Next(2) == 1;
                for (int c = 0; c < channels; c++)
                {
                    float mean = data.ChannelMean[c],
                        std = data.ChannelStd[c],
                        black = -mean / std;
                    int plane = c * h * w;
                    for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        // Output (y, x) shows input (y + dy, x' + dx), x' mirrored when flipped; outside is padding.
                        int sy = y + dy,
                            sx = (flip ? w - 1 - x : x) + dx;
                        pixels[n * data.ItemSize + plane + y * w + x] =
                            sy < 0 || sy >= h || sx < 0 || sx >= w
                                ? black
                                : (data.Pixels[source + plane + sy * w + sx] / 255f - mean) / std;
                    }
                }
                labels[n] = data.Labels[order[first + n]];
            }
            yield return (tensor(pixels, [length, channels, h, w]), tensor(labels));
        }
    }
}
