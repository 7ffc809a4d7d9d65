namespace Nas.Sandbox.Tests;

/// <summary>
/// `nas train` of a cell of the DARTS convolutions and se_block exports a model that `nas predict` loads back and that
/// PyTorch loads (bench/pytorch_peer.py builds the same operations) with the same logits.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class DartsOperationExportTests : IDisposable
{
    private const string Arch =
        "|sep_conv_3x3~0|+|dil_conv_3x3~0|se_block~1|+|skip_connect~0|sep_conv_5x5~1|dil_conv_5x5~2|";

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-darts-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [SkippableFact]
    public void A_trained_cell_of_the_new_operations_predicts_and_loads_into_pytorch_with_the_same_logits()
    {
        string output = Path.Combine(_folder, "run");
        var (exit, _, stderr) = NasProcess.Run([
            "train",
            Arch,
            .. TrainCliTests.TinyOptions,
            "--seeds",
            "1",
            "--output",
            output,
        ]);
        exit.Should().Be(0, stderr);
        string model = Path.Combine(output, "seed-0");
        string images = Path.Combine(TestData.FashionMnistSubsetDirectory, "t10k-images-idx3-ubyte.gz");
        (exit, var stdout, stderr) = NasProcess.Run("predict", model, images);
        exit.Should().Be(0, stderr);
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(300);
        TrainCliTests.PyTorchGivesTheSameLogits(model);
    }
}
