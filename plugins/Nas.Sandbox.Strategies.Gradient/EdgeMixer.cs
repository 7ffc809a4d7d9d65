using Nas.Sandbox.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// How a search cell combines the candidate operations of one edge for the current forward pass. The strategy sets its
/// weights before each pass (inside that step's dispose scope); every cell of the supernet reads the same ones, so the
/// architecture parameters are shared by all cells, as in DARTS and GDAS.
/// </summary>
internal abstract class EdgeMixer
{
    public abstract Tensor Mix(
        int edge,
        ModuleList<nn.Module<Tensor, Tensor>> operations,
        int operationCount,
        Tensor input
    );
}

/// <summary>DARTS: the softmax(α)-weighted sum of every operation on the edge.</summary>
internal sealed class SoftmaxMixer : EdgeMixer
{
    /// <summary>[edges, operations], rows summing to 1.</summary>
    public Tensor? Weights { get; set; }

    public override Tensor Mix(
        int edge,
        ModuleList<nn.Module<Tensor, Tensor>> operations,
        int operationCount,
        Tensor input
    )
    {
        var weights = Weights ?? throw new InvalidOperationException("The mixer's weights are not set.");
        Tensor? sum = null;
        for (int k = 0; k < operationCount; k++)
        {
            var term = operations[edge * operationCount + k].call(input) * weights[edge, k];
            sum = sum is null ? term : SafeTorch.Plus(sum, term);
        }
        return sum!;
    }
}

/// <summary>
/// GDAS: only the sampled operation is computed; it is scaled by its straight-through hard weight (1 in value, the
/// softmax's gradient), and the other operations' hard weights (0 in value) are added so that α gets their gradient too.
/// </summary>
internal sealed class SampledMixer : EdgeMixer
{
    /// <summary>[edges, operations]: one-hot in value, Gumbel-softmax in gradient.</summary>
    public Tensor? Hard { get; set; }
    public int[] Chosen { get; set; } = [];

    public override Tensor Mix(
        int edge,
        ModuleList<nn.Module<Tensor, Tensor>> operations,
        int operationCount,
        Tensor input
    )
    {
        var hard = Hard ?? throw new InvalidOperationException("The mixer's sample is not set.");
        int k = Chosen[edge];
        var row = hard[edge];
        return SafeTorch.Plus(operations[edge * operationCount + k].call(input) * row[k], row.sum() - row[k]);
    }
}
