using System.Globalization;
using Nas.Sandbox.Core.Spaces;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient.Tests;

/// <summary>DARTS as NAS-Bench-201's DARTS-V1 runs it: what moves α, in which order, and what it proposes.</summary>
public sealed class DartsTests
{
    private static readonly string[] Operations = ["none", "skip_connect", "nor_conv_3x3"];

    /// <summary>The validation loss's gradient with respect to α, taken at α = <paramref name="alpha"/> with the state's weights as they are.</summary>
    private static float[] ValidationGradient(SupernetState state, Tensor alpha, Abstractions.ITrainingKit kit)
    {
        using var scope = NewDisposeScope();
        var a = alpha.clone().requires_grad_(true);
        ((SoftmaxMixer)state.Mixer).Weights = nn.functional.softmax(a, -1);
        nn.functional.cross_entropy(state.Network.call(kit.ValidationImages), kit.ValidationLabels).backward();
        return a.grad!.data<float>().ToArray();
    }

    /// <summary>Adam's first step (bias-corrected m̂ = g, v̂ = g²) with L2 weight decay: α − lr·g/(|g| + ε), g = ∇ + wd·α.</summary>
    private static float[] AdamFirstStep(float[] alpha, float[] gradient, double lr, double decay) =>
        alpha
            .Zip(gradient, (a, g) =>
            {
                double d = g + decay * a;
                return (float)(a - lr * d / (Math.Abs(d) + 1e-8));
            })
            .ToArray();

    [Fact]
    public void The_first_round_steps_the_weights_then_alpha_by_adam_on_the_validation_gradient_at_the_new_weights()
    {
        // One validation batch holds the whole validation set, so the test can recompute the α step's gradient.
        using var data = TestKit.Data(trainingImages: 64, validationImages: 32, batch: 32);
        var kit = TestKit.Kit(data);
        var factory = new DartsFactory();
        var knobs = TestKit.Knobs(
            factory,
            ("learning-rate", "0.5"),
            ("learning-rate-min", "0.5"),
            ("arch-learning-rate", "0.01")
        );
        using var darts = (Darts)factory.Create(knobs);
        using var untrained = (Darts)factory.Create(knobs); // the same seed: the same weights and α before any step
        darts.TrainUntil(kit, Operations, 0);
        untrained.TrainUntil(kit, Operations, 0);
        using var alpha0 = darts.State!.Alpha.detach().clone();
        var before = alpha0.data<float>().ToArray();

        darts.TrainUntil(kit, Operations, 1);
        var after = darts.State.Alpha.detach().data<float>().ToArray();

        var atNewWeights = AdamFirstStep(before, ValidationGradient(darts.State, alpha0, kit), 0.01, 1e-3);
        var atOldWeights = AdamFirstStep(before, ValidationGradient(untrained.State!, alpha0, kit), 0.01, 1e-3);
        after
            .Should()
            .Equal(
                atNewWeights,
                (x, y) => Math.Abs(x - y) < 1e-5f,
                "α's step uses the weights the weight step just made (NB201's order)"
            );
        after
            .Zip(atOldWeights)
            .Count(p => Math.Abs(p.First - p.Second) > 1e-3)
            .Should()
            .BeGreaterThan(0, "stepping α first, on the old weights, would have moved it otherwise");
        darts
            .TrainingLosses.Should()
            .ContainSingle()
            .Which.Should()
            .BeInRange(1.5, 3.5, "the first training loss of a 10-class net is near ln 10");
    }

    [Fact]
    public void Darts_lowers_its_supernet_loss_moves_alpha_and_proposes_its_argmax()
    {
        using var data = TestKit.Data();
        var space = new Nb201Space(["none", "nor_conv_3x3"]);
        var factory = new DartsFactory();
        using var darts = (Darts)
            factory.Create(TestKit.Knobs(factory, ("steps-per-ask", "40"), ("arch-learning-rate", "0.01")));
        darts.ArchitectureWeights().Should().BeEmpty("nothing is built before the first Ask");
        var proposal = darts.Ask(TestKit.Context(space, TestKit.Kit(data)));

        darts.Rounds.Should().Be(40);
        var losses = darts.TrainingLosses;
        losses
            .Take(10)
            .Average()
            .Should()
            .BeGreaterThan(losses.Skip(30).Average() + 0.1, "the supernet learns the task");
        // α starts at 1e-3 × N(0, 1); 40 Adam steps at 0.01 must have moved it well beyond that on most edges.
        var alpha = darts.ArchitectureWeights();
        alpha
            .Count(row => Math.Abs(row[1] - row[0]) > 0.05)
            .Should()
            .BeGreaterThanOrEqualTo(
                4,
                $"α per edge: {string.Join("; ", alpha.Select(r => string.Join(", ", r.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))))}"
            );
        proposal.Choices.Should().Equal(alpha.Select(row => row[1] > row[0] ? "nor_conv_3x3" : "none"));
    }

    [Fact]
    public void The_weights_learning_rate_follows_the_cosine_schedule_by_epoch()
    {
        using var data = TestKit.Data(trainingImages: 64, validationImages: 32, batch: 32); // two rounds an epoch
        var factory = new DartsFactory();
        using var darts = (Darts)factory.Create(TestKit.Knobs(factory, ("epochs", "2")));
        var kit = TestKit.Kit(data);
        double LearningRate() => darts.State!.WeightOptimizer.ParamGroups.Single().LearningRate;
        darts.TrainUntil(kit, Operations, 2);
        LearningRate().Should().Be(0.025, "epoch 0");
        darts.TrainUntil(kit, Operations, 3);
        LearningRate()
            .Should()
            .BeApproximately(0.013, 1e-12, "epoch 1 of 2: halfway down the cosine from 0.025 to 0.001");
        darts.TrainUntil(kit, Operations, 5);
        LearningRate().Should().Be(0.001, "past the planned epochs it stays at the minimum");
    }

    [Fact]
    public void Without_the_race_s_data_darts_says_what_it_needs()
    {
        var factory = new DartsFactory();
        var darts = factory.Create(TestKit.Knobs(factory));
        var ask = () => darts.Ask(TestKit.Context(new Nb201Space(), null));
        ask.Should().Throw<InvalidOperationException>().WithMessage("darts needs the race's training data*");
    }
}
