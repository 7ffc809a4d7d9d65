using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Spaces;
using static Nas.Sandbox.Tests.StrategyTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>
/// REINFORCE's update, checked against values computed by hand on a space with two operations per edge. The policy is
/// read from outside, without referencing the plugin: an edge takes the first operation exactly when the uniform draw
/// for it is below that operation's probability, so bisecting on the draws a scripted <see cref="Random"/> hands out
/// finds each edge's probability to the last bit.
/// </summary>
public sealed class ReinforceTests
{
    private static readonly Nb201Space Space = new(["none", "nor_conv_3x3"]);
    private static readonly (string, string)[] Knobs =
    [
        ("learning-rate", "0.5"),
        ("baseline-decay", "0.9"),
        ("entropy", "0.01"),
    ];

    /// <summary>Hands out the given draws in order, one per edge; REINFORCE must draw nothing else.</summary>
    private sealed class ScriptedRandom(double[] draws) : Random
    {
        private int _next;

        public override double NextDouble() => draws[_next++];

        protected override double Sample() =>
            throw new InvalidOperationException("REINFORCE samples each edge with one NextDouble");

        public override int Next() =>
            throw new InvalidOperationException("REINFORCE samples each edge with one NextDouble");

        public override int Next(int maxValue) =>
            throw new InvalidOperationException("REINFORCE samples each edge with one NextDouble");

        public override int Next(int minValue, int maxValue) =>
            throw new InvalidOperationException("REINFORCE samples each edge with one NextDouble");
    }

    /// <summary>The policy's probability of the first operation ("none") on each edge.</summary>
    private static double[] FirstOperationProbabilities(IStrategy strategy)
    {
        var low = new double[Nb201Space.EdgeCount];
        var high = Enumerable.Repeat(1.0, Nb201Space.EdgeCount).ToArray();
        for (int step = 0; step < 80; step++)
        {
            var middle = low.Zip(high, (l, h) => l + (h - l) / 2).ToArray();
            var cell = strategy.Ask(Context(Space, 0, new ScriptedRandom(middle)));
            for (int edge = 0; edge < Nb201Space.EdgeCount; edge++)
                if (cell.Choices[edge] == "none")
                    low[edge] = middle[edge];
                else
                    high[edge] = middle[edge];
        }
        return high;
    }

    private static Architecture Cell(params string[] choices) => Space.FromChoices(choices);

    private static Architecture All(string operation) =>
        Cell(Enumerable.Repeat(operation, Nb201Space.EdgeCount).ToArray());

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// One step on an edge with logits (d/2, −d/2) over (none, conv), i.e. P(none) = σ(d): the change of d when
    /// <paramref name="tookNone"/> says which operation the trial took, with advantage A, learning rate 0.5 and entropy
    /// weight 0.01. Per logit k: Δl_k = lr·(A·(1[k taken] − p_k) + β·(−p_k·(ln p_k + H))).
    /// </summary>
    private static double Step(double d, bool tookNone, double advantage)
    {
        double p = Sigmoid(d),
            q = 1 - p,
            entropy = -(p * Math.Log(p) + q * Math.Log(q));
        double none = 0.5 * (advantage * ((tookNone ? 1 : 0) - p) + 0.01 * -p * (Math.Log(p) + entropy));
        double conv = 0.5 * (advantage * ((tookNone ? 0 : 1) - q) + 0.01 * -q * (Math.Log(q) + entropy));
        return d + none - conv;
    }

    [Fact]
    public void The_policy_gradient_update_matches_a_hand_computed_case()
    {
        var strategy = Create("reinforce", Knobs);
        var mixed = Cell("none", "nor_conv_3x3", "none", "nor_conv_3x3", "none", "nor_conv_3x3");
        strategy.Tell(Ok(0, All("none"), 0.6));
        strategy.Tell(Ok(1, mixed, 0.8));
        strategy.Tell(Ok(2, All("none"), 0.5));
        var probabilities = FirstOperationProbabilities(strategy);

        // The baseline is the bias-corrected moving average of the rewards including the trial's own. Trial 0: the
        // baseline is its reward (0.6), advantage 0; at the uniform policy the entropy gradient is 0 too: nothing
        // moves. Trial 1: baseline (0.9·0.1·0.6 + 0.1·0.8) / (0.9·0.1 + 0.1) = 0.70526…, advantage 0.8 − that =
        // 0.09474; at p = ½ the taken logit gains 0.5·A·½ and the other loses as much: d = ±A/2.
        // Trial 2 (none everywhere): advantage 0.5 − baseline(0.6, 0.8, 0.5) = −0.12952, and the entropy bonus now acts.
        double a1 = 0.8 - (0.9 * 0.1 * 0.6 + 0.1 * 0.8) / (0.9 * 0.1 + 0.1);
        double a2 = 0.5 - (0.81 * 0.1 * 0.6 + 0.9 * 0.1 * 0.8 + 0.1 * 0.5) / (0.81 * 0.1 + 0.9 * 0.1 + 0.1);
        a1.Should().BeApproximately(0.0947368421052631, 1e-12);
        a2.Should().BeApproximately(-0.1295202952029522, 1e-12);
        double even = Sigmoid(Step(Step(0, true, a1), true, a2)); // edges 0, 2, 4: none, none, none
        double odd = Sigmoid(Step(Step(0, false, a1), true, a2)); // edges 1, 3, 5: none, conv, none
        Step(0, false, a1).Should().BeApproximately(-a1 / 2, 1e-15);
        even.Should().BeApproximately(0.4960059412182404, 1e-12); // the same steps in Python (math.exp, math.log)
        odd.Should().BeApproximately(0.4716445270408574, 1e-12);
        probabilities.Should().HaveCount(6);
        for (int edge = 0; edge < 6; edge++)
            probabilities[edge].Should().BeApproximately(edge % 2 == 0 ? even : odd, 1e-12, $"edge {edge}");
    }

    [Fact]
    public void A_failed_trial_earns_the_lowest_real_reward_even_when_rewards_are_negative()
    {
        // accuracy − 2·params (millions): every real trial scores below 0, where a failure used to be paid 0.
        var objective = RaceObjective.Parse("accuracy-2*params");
        Trial Scored(int index, Architecture cell, double accuracy, long parameters) =>
            objective.Score(
                new Trial
                {
                    Index = index,
                    Architecture = cell,
                    Status = TrialStatus.Ok,
                    CostSeconds = 1,
                    Metrics = new Metrics { ValidationAccuracy = accuracy, Parameters = parameters },
                },
                "test"
            );
        var first = Scored(0, All("none"), 0.7, 1_350_000);
        var second = Scored(1, All("none"), 0.6, 2_300_000);
        var failure = objective.Score(Failed(2, All("nor_conv_3x3")), "test");
        first.Objective.Should().BeApproximately(-2.0, 1e-12);
        second.Objective.Should().BeApproximately(-4.0, 1e-12);
        failure.Objective.Should().BeNull();

        var strategy = Create("reinforce", Knobs);
        strategy.Tell(first);
        strategy.Tell(second);
        var beforeFailure = FirstOperationProbabilities(strategy);
        strategy.Tell(failure);
        var afterFailure = FirstOperationProbabilities(strategy);

        // Trial 1: baseline (0.09·(−2) + 0.1·(−4)) / 0.19 = −3.0526, advantage −0.9474 at p = ½ towards conv:
        // d = −0.4737. The failure (conv everywhere) earns the lowest real reward, −4: advantage −4 − baseline(−2, −4,
        // −4) = −0.5978, away from conv. Paid 0 instead, its advantage would be +1.926, towards the failed cell
        // (P(none) would fall to 0.229).
        double d1 = -(4 - 3.0526315789473686) / 2;
        double expected = Sigmoid(Step(d1, false, -0.597785977859778));
        expected.Should().BeApproximately(0.4395060731576126, 1e-12); // the same steps in Python
        beforeFailure.Should().OnlyContain(p => Math.Abs(p - Sigmoid(d1)) < 1e-12);
        afterFailure.Should().OnlyContain(p => Math.Abs(p - expected) < 1e-12);
    }

    [Fact]
    public void A_failed_trial_before_any_real_one_teaches_nothing_and_starts_no_baseline()
    {
        var strategy = Create("reinforce", Knobs);
        strategy.Tell(Failed(0, All("nor_conv_3x3")));
        strategy.Tell(Ok(1, All("none"), -2));
        // The first real trial starts the baseline at its reward: advantage 0, the policy stays uniform.
        FirstOperationProbabilities(strategy).Should().OnlyContain(p => p == 0.5);
        strategy.Tell(Ok(2, All("nor_conv_3x3"), -1));
        // Advantage −1 − (0.09·(−2) + 0.1·(−1)) / 0.19 = 0.4737 towards conv at p = ½: d = −0.2368 (a failure paid 0
        // would have started the baseline at 0).
        FirstOperationProbabilities(strategy)
            .Should()
            .OnlyContain(p => Math.Abs(p - Sigmoid(-(-1 - (0.09 * -2 + 0.1 * -1) / 0.19) / 2)) < 1e-12);
    }

    [Fact]
    public void With_adam_it_takes_the_steps_of_nas_bench_201s_baseline_in_pytorch()
    {
        // NATS-Bench's reinforce.py: Adam at 0.01 on −log π(taken)·advantage, no entropy bonus. The expected policy is
        // what PyTorch 1.13's torch.optim.Adam gives for one edge of two operations from logits 0, same rewards:
        //   l = torch.zeros(2, requires_grad=True, dtype=torch.float64); opt = torch.optim.Adam([l], lr=0.01)
        //   for r, taken in [(0.6, 0), (0.8, 1), (0.5, 0)]: (EMA update; loss = -log_softmax(l)[taken]·(r − ema)); step
        var strategy = Create(
            "reinforce",
            [("optimizer", "adam"), ("learning-rate", "0.01"), ("baseline-decay", "0.9"), ("entropy", "0")]
        );
        strategy.Tell(Ok(0, All("none"), 0.6));
        strategy.Tell(Ok(1, All("nor_conv_3x3"), 0.8));
        FirstOperationProbabilities(strategy).Should().OnlyContain(p => Math.Abs(p - 0.49627938566747704) < 1e-12);
        strategy.Tell(Ok(2, All("none"), 0.5));
        FirstOperationProbabilities(strategy).Should().OnlyContain(p => Math.Abs(p - 0.4920056700067621) < 1e-12);
    }

    [Fact]
    public void An_unknown_optimizer_is_one_error_naming_the_knob()
    {
        var create = () => Create("reinforce", [("optimizer", "rmsprop")]);
        create.Should().Throw<KnobException>().WithMessage("*'optimizer'*adam or sgd*rmsprop*");
    }
}
