using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>The <see cref="NetworkShape"/> a space's network is built for when it trains on a data set.</summary>
public static class NetworkShapes
{
    /// <summary>
    /// Images and classes from <paramref name="data"/>, the size settings C and N, and operations from
    /// <paramref name="operations"/>: what the race's training estimator and <c>nas train</c> both build.
    /// </summary>
    public static NetworkShape For(ImageDataset data, int channels, int cellsPerStage, OperationRegistry operations) =>
        new()
        {
            InputChannels = data.Channels,
            ImageSize = data.Height,
            Classes = data.Classes,
            Channels = channels,
            CellsPerStage = cellsPerStage,
            BuildOperation = (name, i, o, s) => operations.Get(name).Build(i, o, s),
        };
}
