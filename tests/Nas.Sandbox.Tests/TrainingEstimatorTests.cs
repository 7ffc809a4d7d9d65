using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;
using Nas.Sandbox.Core.Training;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>Real training on the committed Fashion-MNIST subset, kept tiny (a few hundred images, C=4).</summary>
[Collection(TorchGeneratorLane.Name)]
public class TrainingEstimatorTests
{
    private const string Conv =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|";
    private static readonly TrainingSettings Tiny = new()
    {
        Epochs = 2,
        TrainingImages = 1000,
        ValidationImages = 250,
        Channels = 8,
        CellsPerStage = 1,
        BatchSize = 32,
    };

    private readonly Nb201Space _space = new();

    private static TrainingEstimator Estimator(TrainingSettings settings) =>
        new(TestData.FashionMnistSubset, OperationRegistry.CreateDefault(), settings);

    [Fact]
    public void Training_steps_reduce_the_loss()
    {
        var estimator = Estimator(Tiny);
        var batch = TensorLoader.Load(TestData.FashionMnistSubset.Train, Enumerable.Range(0, 256).ToArray(), CPU);
        using var images = batch.Images;
        using var labels = batch.Labels;
        using var model = estimator.Build(_space.Parse(Conv), Tiny, seed: 7);
        using var optimizer = new KeptAlive.SGD(model.parameters(), 0.02, 0.9, 0, false); // as training steps
        model.train();
        var losses = new List<double>();
        for (int step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(images), labels);
            losses.Add(loss.item<float>());
            loss.backward();
            optimizer.step();
        }
        losses.Should().OnlyContain(l => double.IsFinite(l));
        losses[^1].Should().BeLessThan(losses[0] * 0.8);
    }

    [Fact]
    public void An_evaluation_reports_accuracy_loss_size_cost_and_fidelity()
    {
        var result = Estimator(Tiny).Evaluate(_space.Parse(Conv), new EvaluationRequest { Seed = 1, DataSeed = 1 });
        result.Status.Should().Be(TrialStatus.Ok, result.Message);
        result.Metrics.ValidationAccuracy.Should().BeInRange(0.3, 1.0); // chance is 0.1
        result.Metrics.ValidationLoss.Should().BePositive();
        result.Metrics.Parameters.Should().BePositive();
        result.Metrics.Flops.Should().BePositive();
        result.CostSeconds.Should().BePositive();
        result.Fidelity.Should().Be(Tiny.ToFidelity());
    }

    [Fact]
    public void The_same_seed_gives_the_same_result_on_cpu()
    {
        var estimator = Estimator(Tiny);
        var request = new EvaluationRequest { Seed = 42, DataSeed = 3 };
        var first = estimator.Evaluate(_space.Parse(Conv), request);
        var second = estimator.Evaluate(_space.Parse(Conv), request);
        second.Metrics.Should().Be(first.Metrics);
        var other = estimator.Evaluate(_space.Parse(Conv), request with { Seed = 43 });
        other.Metrics.ValidationLoss.Should().NotBe(first.Metrics.ValidationLoss);
    }

    [Fact]
    public void An_exploding_loss_is_reported_as_diverged_not_thrown()
    {
        var estimator = Estimator(Tiny with { LearningRate = 1e12, GradientClip = 1e30, TrainingImages = 300 });
        var result = estimator.Evaluate(_space.Parse(Conv), new EvaluationRequest { Seed = 1, DataSeed = 1 });
        result.Status.Should().Be(TrialStatus.Diverged);
        result.Message.Should().Contain("training loss");
    }

    [Fact]
    public void A_failure_inside_the_estimator_is_reported_as_failed_not_thrown()
    {
        var registry = OperationRegistry.CreateDefault();
        var estimator = new TrainingEstimator(TestData.FashionMnistSubset, registry, Tiny);
        var alien = new Architecture(
            "|alien~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            ["alien", "none", "none", "none", "none", "none"]
        );
        var result = estimator.Evaluate(alien, new EvaluationRequest { Seed = 1, DataSeed = 1 });
        result.Status.Should().Be(TrialStatus.Failed);
        result.Message.Should().Contain("Unknown operation 'alien'");
    }
}
