namespace Nas.Sandbox.Core.Evaluation.Data;

/// <summary>Labelled single-size images held as bytes (one byte per pixel and channel, channels first).</summary>
public sealed class ImageDataset
{
    public ImageDataset(
        string name,
        byte[] pixels,
        byte[] labels,
        int channels,
        int height,
        int width,
        int classes,
        float[] channelMean,
        float[] channelStd
    )
    {
        int itemSize = channels * height * width;
        if (pixels.Length != labels.Length * itemSize)
            throw new NasException(
                $"{name}: {labels.Length} labels but {pixels.Length / Math.Max(itemSize, 1)} images."
            );
        foreach (byte label in labels)
            if (label >= classes)
                throw new NasException($"{name}: label {label} is not below the class count {classes}.");
        (Name, Pixels, Labels, Channels, Height, Width, Classes, ChannelMean, ChannelStd) = (
            name,
            pixels,
            labels,
            channels,
            height,
            width,
            classes,
            channelMean,
            channelStd
        );
    }

    public string Name { get; }
    public byte[] Pixels { get; }
    public byte[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }

    /// <summary>Per-channel mean and standard deviation of pixel/255 over the training set, for normalisation.</summary>
    public float[] ChannelMean { get; }
    public float[] ChannelStd { get; }
    public int Count => Labels.Length;
    public int ItemSize => Channels * Height * Width;
}

/// <summary>
/// The data a search sees: search-train and search-validation, both carved from the official training set, and the
/// held-out test set (the official test set), which search never sees.
/// </summary>
public sealed record DatasetBundle(string Name, ImageDataset Train, ImageDataset Test);
