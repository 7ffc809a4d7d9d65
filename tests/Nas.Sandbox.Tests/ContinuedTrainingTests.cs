using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Continued training (multi-fidelity races): the training estimator reports a learning curve, keeps a checkpoint, and a
/// trial continued from it is the run trained from scratch to the same epochs, step for step, for only the extra cost.
/// Real training on the committed Fashion-MNIST subset, kept tiny.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class ContinuedTrainingTests : IDisposable
{
    private const string Conv =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|";

    // A ladder 1, 3: the schedule's horizon is the top rung for every trial.
    private static readonly TrainingSettings Ladder = new()
    {
        Epochs = 3,
        ScheduleEpochs = 3,
        TrainingImages = 256,
        ValidationImages = 128,
        Channels = 8,
        CellsPerStage = 1,
        BatchSize = 32,
    };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nas-continue-" + Guid.NewGuid().ToString("N"));
    private readonly Architecture _architecture = new Nb201Space().Parse(Conv);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private static TrainingEstimator Estimator() =>
        new(TestData.FashionMnistSubset, OperationRegistry.CreateDefault(), Ladder);

    /// <summary>3 epochs from scratch, trained once for the whole class: what every other way of getting there must equal.</summary>
    private static readonly Lazy<EvaluationResult> Whole = new(() =>
        Estimator().Evaluate(new Nb201Space().Parse(Conv), At(3))
    );

    private static EvaluationRequest At(int epochs, TrainingCheckpoint? checkpoint = null) =>
        new()
        {
            Seed = 5,
            DataSeed = 2,
            Fidelity = new Fidelity { Epochs = epochs },
            Checkpoint = checkpoint,
        };

    [Fact]
    public void One_epoch_then_two_more_is_three_epochs_from_scratch_at_the_cost_of_two()
    {
        var estimator = Estimator();
        var whole = Whole.Value;
        string first = Path.Combine(_folder, "one.ckpt");
        var one = estimator.Evaluate(_architecture, At(1, new TrainingCheckpoint { SaveTo = first }));
        var continued = estimator.Evaluate(
            _architecture,
            At(
                3,
                new TrainingCheckpoint
                {
                    ResumeFrom = first,
                    ResumeEpochs = 1,
                    ResumeCurve = one.Curve,
                }
            )
        );

        whole.Status.Should().Be(TrialStatus.Ok, whole.Message);
        continued.Status.Should().Be(TrialStatus.Ok, continued.Message);
        File.Exists(first).Should().BeTrue("the one-epoch trial leaves its checkpoint");
        Directory.GetFiles(_folder, "*.tmp").Should().BeEmpty("a checkpoint is written whole, then renamed");
        whole.Curve.Select(p => p.Epoch).Should().Equal([1, 2, 3]);
        continued.Curve.Select(p => p.Epoch).Should().Equal([1, 2, 3]);
        one.Curve.Single().ValidationAccuracy.Should().Be(whole.Curve[0].ValidationAccuracy);
        continued
            .Metrics.ValidationAccuracy.Should()
            .Be(whole.Metrics.ValidationAccuracy, "the same run, step for step");
        continued.Metrics.ValidationLoss.Should().BeApproximately(whole.Metrics.ValidationLoss!.Value, 1e-6);
        continued.Metrics.TrainingLoss.Should().BeApproximately(whole.Metrics.TrainingLoss!.Value, 1e-6);
        // Not a race of clocks (a loaded machine makes either run slower): epoch 1 is the checkpoint's, with the seconds
        // it was already paid, and the continuation is charged only its own run, which ends after those seconds.
        continued.Curve[0].Should().Be(one.Curve[0], "epoch 1 comes from the checkpoint, not trained again");
        continued
            .CostSeconds.Should()
            .BeLessThan(continued.Curve[^1].Seconds, "the first epoch's seconds were paid by the 1-epoch trial");
        continued
            .Curve[^1]
            .Seconds.Should()
            .BeGreaterThan(one.Curve[0].Seconds, "the curve's seconds count from epoch 1");
    }

    [Fact]
    public void A_missing_checkpoint_trains_from_scratch_and_pays_for_it()
    {
        var estimator = Estimator();
        var whole = Whole.Value;
        var lost = estimator.Evaluate(
            _architecture,
            At(3, new TrainingCheckpoint { ResumeFrom = Path.Combine(_folder, "gone.ckpt"), ResumeEpochs = 1 })
        );
        lost.Status.Should().Be(TrialStatus.Ok, lost.Message);
        lost.Metrics.ValidationAccuracy.Should().Be(whole.Metrics.ValidationAccuracy);
        lost.Curve.Should().HaveCount(3);
    }

    [Fact]
    public void A_torn_checkpoint_is_never_read()
    {
        // A kill mid-write leaves only the temporary file: the continuation does not find a checkpoint and starts over.
        var estimator = Estimator();
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "torn.ckpt");
        File.WriteAllBytes(path + ".tmp", [1, 2, 3]);
        var result = estimator.Evaluate(
            _architecture,
            At(3, new TrainingCheckpoint { ResumeFrom = path, ResumeEpochs = 1 })
        );
        result.Status.Should().Be(TrialStatus.Ok, result.Message);
        result.Curve.Should().HaveCount(3);
        result.Metrics.ValidationAccuracy.Should().Be(Whole.Value.Metrics.ValidationAccuracy);
    }
}
