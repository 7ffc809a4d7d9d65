using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;
using Nas.Sandbox.Core.Training;

namespace Nas.Sandbox.Tests;

/// <summary>Full-fidelity training (<see cref="FullTrainer"/>) in process: a killed run resumes to the same result.</summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class FullTrainingTests : IDisposable
{
    internal const string Arch =
        "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|";

    /// <summary>
    /// A tiny run: 2 epochs of 300 images at C=8, N=1, on the committed subset (lr 0.05). Not C=4: on a contended CPU
    /// (the test host's, or two busy loops beside a shell) C=4 runs gave a NaN loss at a random early batch in 1 of 3
    /// to 1 of 8 runs, even single-threaded; never at C=8 (docs/guide/training.md, TorchRuntime.Configure).
    /// </summary>
    internal static readonly FullTrainingSettings Tiny = new()
    {
        Epochs = 2,
        Channels = 8,
        CellsPerStage = 1,
        BatchSize = 50,
        TrainingImages = 300,
        ValidationImages = 200,
        LearningRate = 0.05,
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static Architecture Architecture() => new(Arch, Nb201Format.Parse(Arch, Nb201Space.DefaultOperations));

    private static FullTrainer Trainer() => new(TestData.FashionMnistSubset, Tiny, OperationRegistry.CreateDefault());

    [Fact]
    public void More_training_images_than_the_data_set_holds_is_one_error_not_a_silent_all_of_them()
    {
        var data = TestData.FashionMnistSubset;
        var split = () =>
            new FullTrainer(data, Tiny with { TrainingImages = 2560 }, OperationRegistry.CreateDefault()).Split();
        split
            .Should()
            .Throw<Nas.Sandbox.Core.NasException>()
            .WithMessage(
                $"--train-images 2560: {data.Train.Name} has {data.Train.Count - 200} training images besides the 200 held out*"
            );
        new FullTrainer(data, Tiny, OperationRegistry.CreateDefault()).Split().Train.Should().HaveCount(300);
    }

    [Fact]
    public void A_run_killed_after_its_first_epoch_resumes_from_its_checkpoint_to_the_uninterrupted_result()
    {
        var whole = Trainer().Train(Architecture(), 7, Path.Combine(_folder, "whole"), null, null, default);

        string folder = Path.Combine(_folder, "killed");
        using var kill = new CancellationTokenSource();
        var killed = () =>
            Trainer()
                .Train(
                    Architecture(),
                    7,
                    folder,
                    p =>
                    {
                        if (p.Epoch == 2 && p.Batch == 2)
                            kill.Cancel(); // the next batch stops it, as a kill mid-epoch would
                    },
                    null,
                    kill.Token
                );
        killed.Should().Throw<OperationCanceledException>();
        File.Exists(Path.Combine(folder, "checkpoint.bin")).Should().BeTrue("each finished epoch leaves a checkpoint");
        File.Exists(Path.Combine(folder, ExportedModel.PyTorchFile)).Should().BeFalse("the run did not finish");

        var notices = new List<string>();
        var resumed = Trainer().Train(Architecture(), 7, folder, null, notices.Add, default);

        notices.Should().ContainSingle(n => n.Contains("resuming after epoch 1"));
        resumed.Curve.Select(e => e.Epoch).Should().Equal([1, 2]);
        for (int i = 0; i < 2; i++)
        {
            resumed.Curve[i].ValidationAccuracy.Should().Be(whole.Curve[i].ValidationAccuracy);
            resumed.Curve[i].TrainingLoss.Should().BeApproximately(whole.Curve[i].TrainingLoss, 1e-6);
            resumed.Curve[i].ValidationLoss.Should().BeApproximately(whole.Curve[i].ValidationLoss, 1e-6);
        }
        resumed.TestAccuracy.Should().Be(whole.TestAccuracy);
        File.Exists(Path.Combine(folder, "checkpoint.bin"))
            .Should()
            .BeFalse("a finished run keeps its model, not its checkpoint");
        Directory.GetFiles(folder, "*.tmp").Should().BeEmpty();
    }

    [Fact]
    public void Export_keys_are_those_of_the_PyTorch_NB201_network()
    {
        ExportedModel.PyTorchKey("cells.0.edges.3.conv.weight").Should().Be("cells.0.layers.3.op.1.weight");
        ExportedModel.PyTorchKey("cells.0.edges.3.bn.running_var").Should().Be("cells.0.layers.3.op.2.running_var");
        ExportedModel
            .PyTorchKey("cells.1.conv_a.bn.num_batches_tracked")
            .Should()
            .Be("cells.1.conv_a.op.2.num_batches_tracked");
        ExportedModel.PyTorchKey("cells.1.downsample.1.weight").Should().Be("cells.1.downsample.1.weight");
        ExportedModel.PyTorchKey("lastact_bn.running_mean").Should().Be("lastact.0.running_mean");
        ExportedModel.PyTorchKey("stem.1.bias").Should().Be("stem.1.bias");
        // An mbconv edge keeps torchvision's InvertedResidual names.
        ExportedModel.PyTorchKey("cells.0.edges.1.conv.0.0.weight").Should().Be("cells.0.layers.1.conv.0.0.weight");
        ExportedModel.PyTorchKey("cells.0.edges.1.conv.2.weight").Should().Be("cells.0.layers.1.conv.2.weight");
    }
}
