using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// REINFORCE (Williams 1992), as NAS uses it since Zoph &amp; Le (2017) but with the per-edge categorical policy of
/// NAS-Bench-201's baseline: one softmax over the operations for each choice of the cell, sampled independently.
/// After each trial the policy moves along (reward − baseline) · ∇log π(architecture) plus an entropy bonus that keeps
/// it from collapsing early; the baseline is a moving average of rewards. The reward is the race's objective (<see cref="Trial.Objective"/>:
/// validation accuracy unless the race says otherwise).
/// <para>A failed, diverged or timed-out trial earns the lowest reward of the ok trials learned from before it (and
/// enters the baseline like any reward); while there is none it teaches nothing and does not start the baseline. Why:
/// a fixed reward such as 0 pays a failure more than every real trial of a race whose objective is negative
/// (<c>accuracy-2*params</c>); skipping failures altogether treats one like a trial scored at the baseline, above every
/// poor real one. The lowest reward seen is on the objective's own scale and never above a real trial seen so far, and
/// it depends only on the trials before, in order, so replaying them rebuilds the same policy.</para>
/// Knobs: <c>learning-rate</c> (0.5), <c>baseline-decay</c> (0.9), <c>entropy</c> (0.01).
/// <para>Sequential (not an <see cref="IParallelStrategy"/>): each sample is drawn from the policy after every reward
/// before it, and the moving baseline makes each update depend on the rewards' order. Asked with trials in flight it
/// would sample from a policy that has not seen them, and the updates would follow the order trials finish in, not the
/// order they were sampled in: another algorithm (an asynchronous, off-policy one), not this one.</para>
/// </summary>
public sealed class ReinforceFactory : IStrategyFactory
{
    public string Name => "reinforce";
    public string Description =>
        "REINFORCE with a per-edge categorical policy, moving-average baseline and entropy bonus (Williams 1992; Zoph & Le 2017).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("learning-rate", "0.5", "step size of the policy-gradient update"),
        new("baseline-decay", "0.9", "weight of the old baseline in its moving average (0 to <1)"),
        new("entropy", "0.01", "weight of the entropy bonus"),
    ];

    public IStrategy Create(KnobValues knobs) =>
        new Reinforce(
            knobs.GetDouble("learning-rate", min: 0),
            knobs.GetDouble("baseline-decay", min: 0, max: 0.999999),
            knobs.GetDouble("entropy", min: 0)
        );
}

public sealed class Reinforce(double learningRate, double baselineDecay, double entropyWeight) : IStrategy
{
    // Tell only records; Ask applies the recorded trials (it knows the space), so an instance rebuilt by replaying
    // the same trials is in exactly the same state and asks the same.
    private readonly List<Trial> _pending = [];
    private double[][]? _logits;
    private IReadOnlyList<string> _operations = [];
    private double? _baseline;
    private double? _lowestReward; // of the ok trials learned from so far: what a failure earns

    public Architecture Ask(SearchContext context)
    {
        if (_logits is null)
        {
            _operations = context.Space.Operations;
            _logits = Enumerable
                .Range(0, context.Space.ChoiceCount)
                .Select(_ => new double[_operations.Count])
                .ToArray();
        }
        foreach (var trial in _pending)
            Learn(trial);
        _pending.Clear();
        var choices = new string[_logits.Length];
        for (int edge = 0; edge < _logits.Length; edge++)
        {
            var p = Softmax(_logits[edge]);
            double u = context.Random.NextDouble(),
                sum = 0;
            int chosen = p.Length - 1;
            for (int k = 0; k < p.Length; k++)
            {
                sum += p[k];
                if (u < sum)
                {
                    chosen = k;
                    break;
                }
            }
            choices[edge] = _operations[chosen];
        }
        return context.Space.FromChoices(choices);
    }

    public void Tell(Trial trial) => _pending.Add(trial);

    private void Learn(Trial trial)
    {
        double reward;
        if (trial.Status == TrialStatus.Ok && trial.Objective is { } objective)
        {
            reward = objective;
            _lowestReward = Math.Min(_lowestReward ?? objective, objective);
        }
        else if (_lowestReward is { } lowest)
            reward = lowest;
        else
            return; // a failure before any real trial: no scale to place it on
        double baseline = _baseline ?? reward;
        double advantage = reward - baseline;
        _baseline = baselineDecay * baseline + (1 - baselineDecay) * reward;
        for (int edge = 0; edge < _logits!.Length && edge < trial.Architecture.Choices.Count; edge++)
        {
            int taken = IndexOf(trial.Architecture.Choices[edge]);
            if (taken < 0)
                continue; // an operation outside this policy (another space): nothing to learn
            var p = Softmax(_logits[edge]);
            double entropy = -p.Sum(x => x > 0 ? x * Math.Log(x) : 0);
            for (int k = 0; k < p.Length; k++)
            {
                double logProbability = (k == taken ? 1 : 0) - p[k]; // ∂ log π(taken) / ∂ logit k
                double entropyGradient = p[k] > 0 ? -p[k] * (Math.Log(p[k]) + entropy) : 0; // ∂ H / ∂ logit k
                _logits[edge][k] += learningRate * (advantage * logProbability + entropyWeight * entropyGradient);
            }
        }
    }

    private int IndexOf(string operation)
    {
        for (int i = 0; i < _operations.Count; i++)
            if (_operations[i] == operation)
                return i;
        return -1;
    }

    private static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }
}
