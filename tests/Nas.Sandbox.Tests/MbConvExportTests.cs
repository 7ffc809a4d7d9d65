namespace Nas.Sandbox.Tests;

/// <summary>
/// `nas train` of a cell of MobileNetV2's inverted residuals (the macro space's operations, usable on cell edges too)
/// exports a model that `nas predict` loads back and that PyTorch loads (bench/pytorch_peer.py builds them in
/// torchvision's layout) with the same logits.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class MbConvExportTests : IDisposable
{
    private const string Arch =
        "|mbconv_k3_e3~0|+|mbconv_k5_e6~0|skip_connect~1|+|mbconv_k7_e3~0|none~1|mbconv_k3_e6~2|";

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-mbconv-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [SkippableFact]
    public void A_trained_cell_of_inverted_residuals_predicts_and_loads_into_pytorch_with_the_same_logits()
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
