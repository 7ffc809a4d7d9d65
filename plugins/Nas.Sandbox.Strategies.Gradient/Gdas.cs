using Nas.Sandbox.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// GDAS (Dong &amp; Yang, "Searching for a Robust Neural Architecture in Four GPU Hours", CVPR 2019) as NAS-Bench-201
/// runs it: exps/algos/GDAS.py, <c>search_func</c>, with lib/models/cell_searchs/search_model_gdas.py's supernet. Each
/// forward pass draws a hard Gumbel-softmax sample of α at temperature τ, one operation per edge shared by every cell,
/// and computes only that one; the straight-through estimator (one-hot forward, softmax gradient) lets α learn. A round
/// (see <see cref="SupernetStrategy"/>) is one SGD step of the weights on a search-train batch, then one Adam step of α
/// on a search-validation batch, each with a fresh sample. τ is set at the start of each epoch, falling linearly from
/// <c>tau-max</c> to <c>tau-min</c> at the last of <c>epochs</c> epochs (<see cref="TemperatureSchedule"/>), then stays.
/// Each Ask trains <c>steps-per-ask</c> rounds, then proposes the argmax of α on every edge.
/// Knobs (NB201's GDAS.config and GDAS.sh): those of DARTS with <c>epochs</c> 240, and <c>tau-max</c> (10),
/// <c>tau-min</c> (0.1). Its training time is charged to its seconds.
/// </summary>
public sealed class GdasFactory : IStrategyFactory, ISpaceRequirement
{
    public string? CannotSearch(ISearchSpace space) => SupernetSettings.CannotSearch(space);

    public string Name => "gdas";
    public string Description =>
        "GDAS as NAS-Bench-201 runs it: hard Gumbel-softmax sample of one operation per edge, straight-through gradients, temperature annealed by epoch, proposes argmax α (Dong & Yang 2019).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        .. SupernetSettings.KnobsWith(epochs: 240),
        new("tau-max", "10", "Gumbel-softmax temperature at the first epoch"),
        new("tau-min", "0.1", "temperature at the last of 'epochs' epochs (and kept after it)"),
    ];

    public IStrategy Create(KnobValues knobs)
    {
        double max = knobs.GetDouble("tau-max", min: 1e-6),
            min = knobs.GetDouble("tau-min", min: 1e-6);
        if (min > max)
            throw new KnobException($"Knob 'tau-min' of 'gdas' ({min}) must not exceed 'tau-max' ({max}).");
        var settings = SupernetSettings.From(knobs, "gdas");
        return new Gdas(settings, new TemperatureSchedule(max, min, settings.Epochs));
    }
}

public sealed class Gdas(SupernetSettings settings, TemperatureSchedule temperature)
    : SupernetStrategy("gdas", settings)
{
    public TemperatureSchedule Temperature { get; } = temperature;

    private protected override EdgeMixer CreateMixer() => new SampledMixer();

    /// <summary>Each pass of a round gets a fresh sample at the epoch's temperature (search_model_gdas.py's <c>forward</c>).</summary>
    private protected override void Mix(SupernetState state, int epoch) =>
        Sample(state, (SampledMixer)state.Mixer, Temperature.At(epoch));

    /// <summary>
    /// A hard Gumbel-softmax sample per edge: h = onehot(argmax p) − p.detach() + p with p = softmax((log_softmax(α) + g) / τ)
    /// and g Gumbel noise (−log of an exponential draw, as NB201; never infinite here). The noise comes from the
    /// strategy's seeded generator, so a rebuilt instance draws the same samples.
    /// </summary>
    internal static void Sample(SupernetState state, SampledMixer mixer, double tau)
    {
        int edges = (int)state.Alpha.shape[0],
            operations = (int)state.Alpha.shape[1];
        var noise = new float[edges * operations];
        for (int i = 0; i < noise.Length; i++)
        {
            double u = Math.Clamp(state.Random.NextDouble(), 1e-10, 1 - 1e-10);
            noise[i] = (float)-Math.Log(-Math.Log(u));
        }
        var gumbel = tensor(noise, [edges, operations], device: state.Alpha.device);
        using var temperature = tau.ToScalar(); // held through the native call (SafeTorch.One says why)
        var logits = SafeTorch.Plus(nn.functional.log_softmax(state.Alpha, -1), gumbel).div(temperature);
        var probabilities = nn.functional.softmax(logits, -1);
        var chosen = probabilities.detach().argmax(-1);
        var oneHot = nn.functional.one_hot(chosen, operations).to(probabilities.dtype);
        mixer.Hard = SafeTorch.Plus(oneHot - probabilities.detach(), probabilities); // disposed with the round's scope
        using var cpu = chosen.cpu();
        mixer.Chosen = cpu.data<long>().Select(k => (int)k).ToArray();
    }
}
