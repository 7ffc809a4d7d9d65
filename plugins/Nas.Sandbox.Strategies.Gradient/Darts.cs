using Nas.Sandbox.Abstractions;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// DARTS (Liu, Simonyan &amp; Yang, "DARTS: Differentiable Architecture Search", ICLR 2019), first order, as
/// NAS-Bench-201 runs it: DARTS-V1, exps/algos/DARTS-V1.py, <c>search_func</c>, with lib/models/cell_searchs/
/// search_model_darts.py's supernet. Each edge of the cell is the softmax(α)-weighted sum of every operation of the
/// space. A round (see <see cref="SupernetStrategy"/>) is one SGD step of the weights on a search-train batch, then one
/// Adam step of α on a search-validation batch with the weights as they now are (first order: no unrolled term). That
/// is NB201's order; the original DARTS code (train_search.py) steps α first. Each Ask trains <c>steps-per-ask</c>
/// rounds, then proposes the argmax of α on every edge.
/// Knobs (NB201's DARTS.config and DARTS-V1.sh): <c>steps-per-ask</c> (4), <c>epochs</c> (50), <c>learning-rate</c>
/// (0.025), <c>learning-rate-min</c> (0.001), <c>momentum</c> (0.9), <c>weight-decay</c> (5e-4),
/// <c>arch-learning-rate</c> (3e-4), <c>arch-weight-decay</c> (1e-3). Its training time is charged to its seconds, so
/// race it under <c>--budget-seconds</c> to compare it fairly with sample-based strategies.
/// </summary>
public sealed class DartsFactory : IStrategyFactory, ISpaceRequirement
{
    public string? CannotSearch(ISearchSpace space) => SupernetSettings.CannotSearch(space);

    public string Name => "darts";
    public string Description =>
        "First-order DARTS as NAS-Bench-201's DARTS-V1: softmax-relaxed supernet, a weight step (SGD, train) then an α step (Adam, validation) per round, proposes argmax α (Liu et al. 2019).";
    public IReadOnlyList<Knob> Knobs { get; } = SupernetSettings.KnobsWith(epochs: 50);

    public IStrategy Create(KnobValues knobs) => new Darts(SupernetSettings.From(knobs, "darts"));
}

public sealed class Darts(SupernetSettings settings) : SupernetStrategy("darts", settings)
{
    private protected override EdgeMixer CreateMixer() => new SoftmaxMixer();

    /// <summary>Both passes of a round mix every operation by softmax(α) (search_model_darts.py's <c>forward</c>).</summary>
    private protected override void Mix(SupernetState state, int epoch) =>
        ((SoftmaxMixer)state.Mixer).Weights = nn.functional.softmax(state.Alpha, -1); // disposed with the round's scope
}
