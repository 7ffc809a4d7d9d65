using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// REINFORCE (Williams 1992), as NAS uses it since Zoph &amp; Le (2017), with the policy and baseline of NAS-Bench-201's
/// and NATS-Bench's baseline (D-X-Y/AutoDL-Projects, <c>exps/NATS-algos/reinforce.py</c>): one softmax over the
/// operations for each choice of the cell, sampled independently; after each trial a step on the loss
/// −(reward − baseline) · log π(architecture) − entropy weight · H(π), where the baseline is an exponential moving
/// average of the rewards with bias correction, updated with the trial's reward before the advantage is taken (so the
/// first trial teaches nothing). The reward is the race's objective (<see cref="Trial.Objective"/>: validation accuracy
/// unless the race says otherwise).
/// <para>The step is where the default differs from the reference, which takes one Adam step (β 0.9/0.999, ε 1e-8) at
/// its scripts' <c>--learning_rate 0.01</c> with no entropy bonus: <c>optimizer=adam,learning-rate=0.01,entropy=0</c>
/// runs exactly that (but for the logits starting at 0, not at 1e-3 · N(0, 1)). At the budgets races use (150
/// evaluations), Adam at 0.01 moves each logit by at most about 1.5, so the policy barely leaves uniform: on the real
/// NAS-Bench-201 tables, 100 heats, it ties random search on all three data sets, and the default, a plain gradient
/// step of 0.5 with an entropy bonus of 0.01, beats it on CIFAR-10 and CIFAR-100 (docs/guide/nb201-standings.md).
/// Adam's step does not depend on the reward's scale (the reference rewards percent); the plain step does, and 0.5
/// suits accuracies as fractions.</para>
/// <para>A failed, diverged or timed-out trial earns the lowest reward of the ok trials learned from before it (and
/// enters the baseline like any reward); while there is none it teaches nothing and does not start the baseline. Why:
/// a fixed reward such as 0 pays a failure more than every real trial of a race whose objective is negative
/// (<c>accuracy-2*params</c>); skipping failures altogether treats one like a trial scored at the baseline, above every
/// poor real one. The lowest reward seen is on the objective's own scale and never above a real trial seen so far, and
/// it depends only on the trials before, in order, so replaying them rebuilds the same policy.</para>
/// Knobs: <c>optimizer</c> (<c>sgd</c>, or <c>adam</c> as the reference), <c>learning-rate</c> (0.5),
/// <c>baseline-decay</c> (0.9, the reference's <c>EMA_momentum</c>), <c>entropy</c> (0.01). Before version 1.1 of this
/// pack the baseline left the trial's own reward out and was not bias-corrected; on the same tables the two baselines
/// do not differ significantly (p &gt; 0.47 on each data set at 150 evaluations).
/// <para>Sequential (not an <see cref="IParallelStrategy"/>): each sample is drawn from the policy after every reward
/// before it, and the moving baseline makes each update depend on the rewards' order. Asked with trials in flight it
/// would sample from a policy that has not seen them, and the updates would follow the order trials finish in, not the
/// order they were sampled in: another algorithm (an asynchronous, off-policy one), not this one.</para>
/// </summary>
public sealed class ReinforceFactory : IStrategyFactory
{
    public string Name => "reinforce";
    public string Description =>
        "REINFORCE with a per-edge categorical policy, a moving-average baseline and an entropy bonus; optimizer=adam,learning-rate=0.01,entropy=0 is NAS-Bench-201's baseline (Williams 1992; Zoph & Le 2017).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new(
            "optimizer",
            "sgd",
            "sgd (a plain policy-gradient step) or adam (NAS-Bench-201's baseline, at learning-rate 0.01)"
        ),
        new("learning-rate", "0.5", "step size of the policy update"),
        new("baseline-decay", "0.9", "weight of the old baseline in its moving average (0 to <1)"),
        new("entropy", "0.01", "weight of the entropy bonus (NAS-Bench-201's baseline: 0)"),
    ];

    public IStrategy Create(KnobValues knobs) =>
        new Reinforce(
            knobs.GetString("optimizer").ToLowerInvariant() switch
            {
                "adam" => true,
                "sgd" => false,
                var other => throw new KnobException(
                    $"Knob 'optimizer' of 'reinforce' must be adam or sgd, not '{other}'."
                ),
            },
            knobs.GetDouble("learning-rate", min: 0),
            knobs.GetDouble("baseline-decay", min: 0, max: 0.999999),
            knobs.GetDouble("entropy", min: 0)
        );
}

public sealed class Reinforce(bool adam, double learningRate, double baselineDecay, double entropyWeight) : IStrategy
{
    // Tell only records; Ask applies the recorded trials (it knows the space), so an instance rebuilt by replaying
    // the same trials is in exactly the same state and asks the same.
    private readonly List<Trial> _pending = [];
    private const double Beta1 = 0.9,
        Beta2 = 0.999,
        Epsilon = 1e-8; // torch.optim.Adam's defaults, as the reference uses them
    private double[][]? _logits;
    private double[][]? _firstMoment,
        _secondMoment;
    private int _steps;
    private IReadOnlyList<string> _operations = [];
    private double _baselineNumerator,
        _baselineDenominator; // the reference's ExponentialMovingAverage: bias-corrected by its denominator
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
            _firstMoment = _logits.Select(l => new double[l.Length]).ToArray();
            _secondMoment = _logits.Select(l => new double[l.Length]).ToArray();
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
        _baselineNumerator = baselineDecay * _baselineNumerator + (1 - baselineDecay) * reward;
        _baselineDenominator = baselineDecay * _baselineDenominator + (1 - baselineDecay);
        double advantage = reward - _baselineNumerator / _baselineDenominator;
        _steps++;
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
                // The gradient of the loss the reference minimises: −advantage · log π − entropy weight · H.
                double gradient = -(advantage * logProbability + entropyWeight * entropyGradient);
                _logits[edge][k] -= adam ? AdamStep(edge, k, gradient) : learningRate * gradient;
            }
        }
    }

    private double AdamStep(int edge, int k, double gradient)
    {
        double m = _firstMoment![edge][k] = Beta1 * _firstMoment[edge][k] + (1 - Beta1) * gradient;
        double v = _secondMoment![edge][k] = Beta2 * _secondMoment[edge][k] + (1 - Beta2) * gradient * gradient;
        double mHat = m / (1 - Math.Pow(Beta1, _steps)),
            vHat = v / (1 - Math.Pow(Beta2, _steps));
        return learningRate * mHat / (Math.Sqrt(vHat) + Epsilon);
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
