using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// The NAS-Bench-201 cell space, published to the host as any plugin's space is (source "built-in"): the cell space
/// with the race's operations, NAS-Bench-201's network (<see cref="Nb201Network"/>) at the race's C and N, and the
/// cell drawn as a diagram.
/// </summary>
public sealed class Nb201SpaceProvider : ISpaceProvider
{
    public string Name => "nb201";

    public string Description =>
        "NAS-Bench-201's cell: 6 edges, each one of the operations (Dong & Yang, ICLR 2020); --operations changes them.";

    public ISearchSpace CreateSpace(IReadOnlyList<string>? operations) =>
        operations is null or { Count: 0 } ? new Nb201Space() : new Nb201Space(operations, Name);

    public nn.Module<Tensor, Tensor> BuildNetwork(Architecture architecture, NetworkShape shape) =>
        new Nb201Network(
            new NetworkSettings(
                shape.Channels,
                shape.CellsPerStage,
                shape.InputChannels,
                shape.ImageSize,
                shape.Classes
            ),
            channels => new Nb201Cell(architecture, shape.BuildOperation, channels)
        );

    public IReadOnlyList<string> Draw(Architecture architecture, int maxWidth) =>
        Nb201CellDiagram.Draw(architecture.Choices, maxWidth);
}
