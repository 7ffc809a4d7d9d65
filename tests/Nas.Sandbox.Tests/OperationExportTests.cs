namespace Nas.Sandbox.Tests;

/// <summary>
/// `nas train` of a cell of the operations added after NB201's exports a model that `nas predict` loads back and that
/// PyTorch loads (bench/pytorch_peer.py builds the same operations) with the same logits: the DARTS convolutions and
/// se_block, and MobileNetV2's inverted residuals (the macro space's operations, usable on cell edges too, built in
/// torchvision's layout). The training and its checks run in child processes (`nas`, python3), so this class is not in
/// the torch lane.
/// </summary>
public sealed class OperationExportTests : IDisposable
{
    /// <summary>
    /// TrainCliTests' tiny training, smaller still (C=4, 100 training and 50 validation images): what is checked is the
    /// export's layout and logits, which any number of steps gives. The inverted residuals' depthwise convolutions are
    /// slow on libtorch's CPU (a 7×7 one over 28×28 images most): with C=8 and 300 images this cell took a minute.
    /// </summary>
    private static readonly string[] Tiny =
    [
        "--dataset",
        SpaceTestKit.Dataset,
        "--epochs",
        "1",
        "--channels",
        "4",
        "--cells",
        "1",
        "--batch",
        "50",
        "--train-images",
        "100",
        "--validation-images",
        "50",
        "--lr",
        "0.05",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-operation-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [SkippableTheory]
    [InlineData("|sep_conv_3x3~0|+|dil_conv_3x3~0|se_block~1|+|skip_connect~0|sep_conv_5x5~1|dil_conv_5x5~2|")]
    [InlineData("|mbconv_k3_e3~0|+|mbconv_k5_e6~0|skip_connect~1|+|mbconv_k7_e3~0|none~1|mbconv_k3_e6~2|")]
    public void A_trained_cell_of_the_operations_predicts_and_loads_into_pytorch_with_the_same_logits(string cell)
    {
        string output = Path.Combine(_folder, "run");
        var (exit, _, stderr) = NasProcess.Run(["train", cell, .. Tiny, "--seeds", "1", "--output", output]);
        exit.Should().Be(0, stderr);
        string model = Path.Combine(output, "seed-0");
        string images = Path.Combine(TestData.FashionMnistSubsetDirectory, "t10k-images-idx3-ubyte.gz");
        (exit, var stdout, stderr) = NasProcess.Run("predict", model, images);
        exit.Should().Be(0, stderr);
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(300);
        TrainCliTests.PyTorchGivesTheSameLogits(model);
    }
}
