using Nas.Sandbox.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// NAS-Bench-201's cell as a supernet cell: node 0 is the input, node j the sum of its incoming edges from every
/// earlier node, the output is node 3; each of the six edges carries every candidate operation (built by
/// <c>build(name, channels)</c>: the host's registry through the kit, so plugin and script operations work too) and the
/// <see cref="EdgeMixer"/> decides how they combine.
/// </summary>
internal sealed class SearchCell : nn.Module<Tensor, Tensor>
{
    /// <summary>The cell's edges (to, from) in the space's choice order: 1←0, 2←0, 2←1, 3←0, 3←1, 3←2.</summary>
    public static readonly (int To, int From)[] Edges = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];
    private const int Nodes = 4;

    /// <summary>Every operation of every edge, flat: edge e's operation k is at e × operations + k.</summary>
    internal IList<nn.Module<Tensor, Tensor>> Operations => operations;

    // Flat: edge e's operation k is at e * operation_count + k.
    private readonly ModuleList<nn.Module<Tensor, Tensor>> operations = new();
    private readonly int operation_count;
    private readonly EdgeMixer mixer;

    public SearchCell(
        Func<string, int, nn.Module<Tensor, Tensor>> build,
        IReadOnlyList<string> operationNames,
        int channels,
        EdgeMixer mixer
    )
        : base(nameof(SearchCell))
    {
        operation_count = operationNames.Count;
        this.mixer = mixer;
        for (int e = 0; e < Edges.Length; e++)
            foreach (string name in operationNames)
                operations.Add(build(name, channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var nodes = new Tensor?[Nodes];
        nodes[0] = input;
        for (int e = 0; e < Edges.Length; e++)
        {
            var (to, from) = Edges[e];
            var contribution = mixer.Mix(e, operations, operation_count, nodes[from]!);
            // Out of place: an identity contribution aliases an earlier node, which must stay intact.
            nodes[to] = nodes[to] is null ? contribution : SafeTorch.Plus(nodes[to]!, contribution);
        }
        return nodes[^1]!;
    }
}
