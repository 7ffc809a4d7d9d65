namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// Macro skeleton of the NAS-Bench-201 network. NB201's own: <see cref="Nb201Cifar10"/> (C=16, N=5, 3×32×32, 10 classes).
/// </summary>
public sealed record NetworkSettings(int Channels, int CellsPerStage, int InputChannels, int ImageSize, int Classes)
{
    public static readonly NetworkSettings Nb201Cifar10 = new(16, 5, 3, 32, 10);

    public void Validate()
    {
        if (Channels < 2)
            throw new NasException($"channels must be at least 2, not {Channels}.");
        if (CellsPerStage < 1)
            throw new NasException($"cells per stage must be at least 1, not {CellsPerStage}.");
        if (InputChannels < 1)
            throw new NasException($"input channels must be at least 1, not {InputChannels}.");
        if (ImageSize < 4)
            throw new NasException($"image size must be at least 4, not {ImageSize}.");
        if (Classes < 2)
            throw new NasException($"classes must be at least 2, not {Classes}.");
    }
}
