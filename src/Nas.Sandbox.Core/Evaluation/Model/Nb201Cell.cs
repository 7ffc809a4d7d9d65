using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// One NAS-Bench-201 cell (<c>InferCell</c>): node 0 is the input; node j is the sum of the operations on its incoming
/// edges from every earlier node; the output is node 3.
/// </summary>
public sealed class Nb201Cell : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> edges = new();

    public Nb201Cell(Architecture architecture, OperationRegistry operations, int channels)
        : this(architecture, (name, i, o, s) => operations.Get(name).Build(i, o, s), channels) { }

    /// <summary>The cell with its edges' operations built by <paramref name="buildOperation"/> (name, in, out, stride).</summary>
    public Nb201Cell(
        Architecture architecture,
        Func<string, int, int, int, nn.Module<Tensor, Tensor>> buildOperation,
        int channels
    )
        : this(architecture, buildOperation, channels, channels) { }

    /// <summary>
    /// A cell that changes the channel count (NATS-Bench's size space, <c>InferCell(genotype, C_in, C_out, 1)</c>): the
    /// edges leaving the input node map <paramref name="channelsIn"/> to <paramref name="channelsOut"/>, the others
    /// keep <paramref name="channelsOut"/>.
    /// </summary>
    public Nb201Cell(
        Architecture architecture,
        Func<string, int, int, int, nn.Module<Tensor, Tensor>> buildOperation,
        int channelsIn,
        int channelsOut
    )
        : base(nameof(Nb201Cell))
    {
        for (int e = 0; e < Nb201Space.EdgeCount; e++)
        {
            int from = Nb201Space.Edges[e].From == 0 ? channelsIn : channelsOut;
            edges.Add(buildOperation(architecture.Choices[e], from, channelsOut, 1));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var nodes = new Tensor[Nb201Space.NodeCount];
        nodes[0] = input;
        for (int e = 0; e < Nb201Space.EdgeCount; e++)
        {
            var (to, from) = Nb201Space.Edges[e];
            Tensor contribution = edges[e].call(nodes[from]);
            // Out of place: a skip_connect contribution aliases an earlier node, which must stay intact.
            nodes[to] = nodes[to] is null ? contribution : SafeTorch.Plus(nodes[to], contribution);
        }
        // Intermediates are freed by the caller's dispose scope (one per batch).
        return nodes[^1];
    }
}
