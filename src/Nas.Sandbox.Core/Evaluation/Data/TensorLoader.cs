using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Data;

/// <summary>Copies chosen images of a dataset into normalised float tensors ([n, C, H, W]) and int64 labels.</summary>
public static class TensorLoader
{
    public static (Tensor Images, Tensor Labels) Load(
        ImageDataset data,
        ReadOnlySpan<int> indices,
        Device device,
        ImageDataset? statistics = null
    )
    {
        int itemSize = data.ItemSize,
            plane = data.Height * data.Width;
        var pixels = new float[indices.Length * itemSize];
        var labels = new long[indices.Length];
        for (int n = 0; n < indices.Length; n++)
        {
            int source = indices[n] * itemSize,
                target = n * itemSize;
            for (int c = 0; c < data.Channels; c++)
            {
                var stats = statistics ?? data; // held-out data is normalised with the training set's statistics
                float mean = stats.ChannelMean[c],
                    scale = 1f / (255f * stats.ChannelStd[c]),
                    shift = mean / stats.ChannelStd[c];
                for (int p = c * plane, end = (c + 1) * plane; p < end; p++)
                    pixels[target + p] = data.Pixels[source + p] * scale - shift;
            }
            labels[n] = data.Labels[indices[n]];
        }
        var images = tensor(pixels, [indices.Length, data.Channels, data.Height, data.Width]);
        var labelTensor = tensor(labels);
        return device.type == TorchSharp.DeviceType.CPU
            ? (images, labelTensor)
            : (images.to(device), labelTensor.to(device));
    }
}
