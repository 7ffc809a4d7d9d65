using Nas.Sandbox.Abstractions;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// GDAS (Dong &amp; Yang, "Searching for a Robust Neural Architecture in Four GPU Hours", CVPR 2019): each edge samples
/// one operation from the Gumbel-softmax of α at temperature τ and computes only that one; the straight-through
/// estimator (one-hot forward, softmax gradient) lets α learn. A round is one SGD step of the weights on a search-train
/// batch then one Adam step of α on a search-validation batch, each with a fresh sample. τ falls linearly from
/// <c>tau-max</c> to <c>tau-min</c> over <c>tau-rounds</c> rounds (GDAS: 10 → 0.1 over the search), then stays there.
/// Each Ask trains <c>steps-per-ask</c> rounds, then proposes the argmax of α on every edge.
/// Knobs: those of DARTS (<c>steps-per-ask</c> 4, <c>learning-rate</c> 0.025, <c>momentum</c> 0.9, <c>weight-decay</c>
/// 3e-4, <c>arch-learning-rate</c> 3e-4, <c>arch-weight-decay</c> 1e-3) and <c>tau-max</c> (10), <c>tau-min</c> (0.1),
/// <c>tau-rounds</c> (790, ten epochs at the default fidelity). Its training time is charged to its seconds.
/// </summary>
public sealed class GdasFactory : IStrategyFactory
{
    public string Name => "gdas";
    public string Description => "GDAS: Gumbel-softmax hard sampling of one operation per edge, straight-through gradients, annealed temperature, proposes argmax α (Dong & Yang 2019).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        .. SupernetSettings.Knobs,
        new("tau-max", "10", "Gumbel-softmax temperature at the first round"),
        new("tau-min", "0.1", "temperature reached after tau-rounds rounds (and kept)"),
        new("tau-rounds", "790", "rounds over which the temperature falls linearly from tau-max to tau-min"),
    ];

    public IStrategy Create(KnobValues knobs)
    {
        double max = knobs.GetDouble("tau-max", min: 1e-6), min = knobs.GetDouble("tau-min", min: 1e-6);
        if (min > max) throw new KnobException($"Knob 'tau-min' of 'gdas' ({min}) must not exceed 'tau-max' ({max}).");
        return new Gdas(SupernetSettings.From(knobs), new TemperatureSchedule(max, min, knobs.GetInt("tau-rounds", min: 1)));
    }
}

/// <summary>GDAS's temperature: linear from <paramref name="Max"/> at round 0 to <paramref name="Min"/> at round <paramref name="Rounds"/>, then flat.</summary>
public sealed record TemperatureSchedule(double Max, double Min, int Rounds)
{
    public double At(int round) => round >= Rounds ? Min : Max - (Max - Min) * round / Rounds;
}

public sealed class Gdas(SupernetSettings settings, TemperatureSchedule temperature) : SupernetStrategy("gdas", settings)
{
    public TemperatureSchedule Temperature { get; } = temperature;

    private protected override EdgeMixer CreateMixer() => new SampledMixer();

    private protected override double Step(SupernetState state, Tensor trainX, Tensor trainY, Tensor validX, Tensor validY)
    {
        double tau = Temperature.At(state.Rounds);
        var mixer = (SampledMixer)state.Mixer;
        Sample(state, mixer, tau);
        double loss = WeightStep(state, trainX, trainY);
        Sample(state, mixer, tau);
        ArchStep(state, validX, validY);
        mixer.Hard = null; // disposed with the round's scope
        return loss;
    }

    /// <summary>
    /// A Gumbel-softmax sample per edge: h = onehot(argmax) − p.detach() + p with p = softmax((log_softmax(α) + g) / τ).
    /// The Gumbel noise g comes from the strategy's seeded generator, so a rebuilt instance draws the same samples.
    /// </summary>
    private static void Sample(SupernetState state, SampledMixer mixer, double tau)
    {
        int edges = (int)state.Alpha.shape[0], operations = (int)state.Alpha.shape[1];
        var noise = new float[edges * operations];
        for (int i = 0; i < noise.Length; i++)
        {
            double u = Math.Clamp(state.Random.NextDouble(), 1e-10, 1 - 1e-10);
            noise[i] = (float)-Math.Log(-Math.Log(u));
        }
        var gumbel = tensor(noise, [edges, operations], device: state.Alpha.device);
        var probabilities = nn.functional.softmax((nn.functional.log_softmax(state.Alpha, -1) + gumbel) / tau, -1);
        var chosen = probabilities.detach().argmax(-1);
        var oneHot = nn.functional.one_hot(chosen, operations).to(probabilities.dtype);
        mixer.Hard = oneHot - probabilities.detach() + probabilities;
        using var cpu = chosen.cpu();
        mixer.Chosen = cpu.data<long>().Select(k => (int)k).ToArray();
    }
}
