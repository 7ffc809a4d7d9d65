using Nas.Sandbox.Abstractions;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// DARTS (Liu, Simonyan &amp; Yang, "DARTS: Differentiable Architecture Search", ICLR 2019), first-order, as
/// NAS-Bench-201 runs it (DARTS-V1): each edge of the cell is the softmax(α)-weighted sum of every operation of the
/// space; a round is one Adam step of α on a search-validation batch (the weights taken as they are: first order, no
/// unrolled second-order term) then one SGD step of the weights on a search-train batch. Each Ask trains
/// <c>steps-per-ask</c> rounds, then proposes the argmax of α on every edge.
/// Knobs: <c>steps-per-ask</c> (4), <c>learning-rate</c> (0.025), <c>momentum</c> (0.9), <c>weight-decay</c> (3e-4),
/// <c>arch-learning-rate</c> (3e-4), <c>arch-weight-decay</c> (1e-3). Its training time is charged to its seconds, so
/// race it under <c>--budget-seconds</c> to compare it fairly with sample-based strategies.
/// </summary>
public sealed class DartsFactory : IStrategyFactory
{
    public string Name => "darts";
    public string Description => "First-order DARTS: softmax-relaxed supernet, alternating α (Adam, validation) and weight (SGD, train) steps, proposes argmax α (Liu et al. 2019).";
    public IReadOnlyList<Knob> Knobs => SupernetSettings.Knobs;
    public IStrategy Create(KnobValues knobs) => new Darts(SupernetSettings.From(knobs));
}

public sealed class Darts(SupernetSettings settings) : SupernetStrategy("darts", settings)
{
    private protected override EdgeMixer CreateMixer() => new SoftmaxMixer();

    private protected override double Step(SupernetState state, Tensor trainX, Tensor trainY, Tensor validX, Tensor validY)
    {
        var mixer = (SoftmaxMixer)state.Mixer;
        mixer.Weights = nn.functional.softmax(state.Alpha, -1);
        ArchStep(state, validX, validY);
        mixer.Weights = nn.functional.softmax(state.Alpha.detach(), -1);
        double loss = WeightStep(state, trainX, trainY);
        mixer.Weights = null; // disposed with the round's scope
        return loss;
    }
}
