using System.Diagnostics;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Training;
using Newtonsoft.Json.Linq;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>One tiny `nas train` run (1 epoch, 300 images, C=8, N=1, 2 seeds), as a user runs it, for the tests below (C=8, not 4: see FullTrainingTests.Tiny).</summary>
public sealed class TrainRunFixture : IDisposable
{
    public TrainRunFixture()
    {
        Output = Path.Combine(Folder, "run");
        (Exit, Stdout, Stderr) = NasProcess.Run([
            "train",
            FullTrainingTests.Arch,
            .. TrainCliTests.TinyOptions,
            "--seeds",
            "3,5",
            "--output",
            Output,
        ]);
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("nas-train-cli-").FullName;
    public string Output { get; }
    public string Model => Path.Combine(Output, "seed-3");
    public int Exit { get; }
    public string Stdout { get; }
    public string Stderr { get; }

    public void Dispose() => Directory.Delete(Folder, true);
}

/// <summary>`nas train`, its export and `nas predict`, and each bad input as one error naming it.</summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class TrainCliTests(TrainRunFixture run) : IClassFixture<TrainRunFixture>
{
    internal static readonly string[] TinyOptions =
    [
        "--dataset",
        "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
        "--epochs",
        "1",
        "--channels",
        "8",
        "--cells",
        "1",
        "--batch",
        "50",
        "--train-images",
        "300",
        "--validation-images",
        "200",
        "--lr",
        "0.05",
    ];

    private static string TestImages => Path.Combine(TestData.FashionMnistSubsetDirectory, "t10k-images-idx3-ubyte.gz");
    private static string TestLabels => Path.Combine(TestData.FashionMnistSubsetDirectory, "t10k-labels-idx1-ubyte.gz");

    [Fact]
    public void Train_reports_test_accuracy_over_seeds_and_exports_each_seed()
    {
        run.Exit.Should().Be(0, run.Stderr);
        run.Stdout.Should().Contain("test accuracy").And.Contain("over 2 seed(s) (300 test images)");
        run.Stderr.Should().Contain("seed 3 epoch 1/1").And.Contain("seed 5: test accuracy");
        foreach (string seed in new[] { "seed-3", "seed-5" })
        foreach (
            string file in new[]
            {
                ExportedModel.ArchitectureFile,
                ExportedModel.WeightsFile,
                ExportedModel.PyTorchFile,
            }
        )
            File.Exists(Path.Combine(run.Output, seed, file)).Should().BeTrue($"{seed}/{file} is exported");
        var curves = File.ReadAllLines(Path.Combine(run.Output, "curves.csv"));
        curves[0].Should().Be("seed,epoch,training_loss,validation_accuracy,validation_loss,seconds");
        curves.Skip(1).Select(l => l.Split(',')[0] + "," + l.Split(',')[1]).Should().Equal("3,1", "5,1");
        var summary = JObject.Parse(File.ReadAllText(Path.Combine(run.Output, "summary.json")));
        ((JArray)summary["testAccuracy"]!).Should().HaveCount(2);
        ((double)summary["testAccuracyMean"]!).Should().BeInRange(0.1, 1.0, "one epoch learns something");
    }

    [Fact]
    public void Running_the_same_command_again_keeps_the_finished_seeds()
    {
        run.Exit.Should().Be(0, run.Stderr);
        var (exit, stdout, stderr) = NasProcess.Run([
            "train",
            FullTrainingTests.Arch,
            .. TinyOptions,
            "--seeds",
            "3,5",
            "--output",
            run.Output,
        ]);
        exit.Should().Be(0, stderr);
        stderr.Should().Contain("seed 3: already trained").And.Contain("seed 5: already trained");
        stdout.Should().Be(run.Stdout);
    }

    [Fact]
    public void Another_run_in_the_same_folder_is_refused()
    {
        run.Exit.Should().Be(0, run.Stderr);
        var (exit, _, stderr) = NasProcess.Run([
            "train",
            FullTrainingTests.Arch.Replace("none~2", "skip_connect~2"),
            .. TinyOptions,
            "--output",
            run.Output,
        ]);
        exit.Should().Be(1);
        stderr.Should().Contain(run.Output).And.Contain("another training run").And.NotContain("   at ");
    }

    [Fact]
    public void A_refused_image_count_leaves_nothing_that_refuses_the_corrected_command()
    {
        string output = Path.Combine(run.Folder, "refused");
        string[] tooMany = [.. TinyOptions.Select(o => o == "300" ? "5000" : o)];
        var (exit, _, stderr) = NasProcess.Run(["train", FullTrainingTests.Arch, .. tooMany, "--output", output]);
        exit.Should().Be(1);
        stderr.Should().Contain("--train-images 5000").And.NotContain("   at ");
        File.Exists(Path.Combine(output, "train.json")).Should().BeFalse("the refused run recorded nothing");
    }

    [Fact]
    public void Predict_classifies_IDX_images_and_reports_accuracy_with_labels()
    {
        run.Exit.Should().Be(0, run.Stderr);
        var (exit, stdout, stderr) = NasProcess.Run("predict", run.Model, TestImages, "--labels", TestLabels);
        exit.Should().Be(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(300);
        lines[0].Should().MatchRegex(@"^0\t\d\t\S");
        var summary = JObject.Parse(File.ReadAllText(Path.Combine(run.Model, "result.json")));
        stderr.Should().Contain($"accuracy {(double)summary["TestAccuracy"]!:0.0000}", "predict and train agree");
    }

    [Fact]
    public void Predict_classifies_one_PNG_and_refuses_another_size()
    {
        run.Exit.Should().Be(0, run.Stderr);
        string png = Path.Combine(run.Folder, "one.png"),
            big = Path.Combine(run.Folder, "big.png");
        WritePng(png, 28);
        WritePng(big, 32);
        var (exit, stdout, stderr) = NasProcess.Run("predict", run.Model, png);
        exit.Should().Be(0, stderr);
        stdout.Should().MatchRegex(@"^0\t\d\t");
        (exit, _, stderr) = NasProcess.Run("predict", run.Model, big);
        exit.Should().Be(1);
        stderr.Should().Contain(big).And.Contain("32×32").And.Contain("28×28").And.NotContain("   at ");
    }

    private static void WritePng(string path, int size)
    {
        using var bitmap = new SkiaSharp.SKBitmap(size, size);
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
            bitmap.SetPixel(x, y, new SkiaSharp.SKColor((byte)(x * 8), (byte)(x * 8), (byte)(x * 8)));
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void Predict_refuses_images_of_the_wrong_size()
    {
        run.Exit.Should().Be(0, run.Stderr);
        string idx = Path.Combine(run.Folder, "wrong-size-idx3-ubyte");
        byte[] header = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 20, 0, 0, 0, 20];
        File.WriteAllBytes(idx, [.. header, .. new byte[2 * 20 * 20]]);
        var (exit, _, stderr) = NasProcess.Run("predict", run.Model, idx);
        exit.Should().Be(1);
        stderr.Should().Contain(idx).And.Contain("2×20×20").And.Contain("1×28×28").And.NotContain("   at ");
    }

    [Fact]
    public void Predict_refuses_weights_of_another_architecture()
    {
        run.Exit.Should().Be(0, run.Stderr);
        string other = CopyModel("other-arch");
        // avg_pool_3x3 has no weights where nor_conv_3x3 has a convolution and a batch norm.
        string json = Path.Combine(other, ExportedModel.ArchitectureFile);
        File.WriteAllText(json, File.ReadAllText(json).Replace("nor_conv_3x3~0|+", "avg_pool_3x3~0|+"));
        var (exit, _, stderr) = NasProcess.Run("predict", other, TestImages);
        exit.Should().Be(1);
        stderr
            .Should()
            .Contain(Path.Combine(other, ExportedModel.WeightsFile))
            .And.Contain("another architecture")
            .And.NotContain("   at ");
    }

    [Fact]
    public void Predict_refuses_a_truncated_or_corrupt_weights_file()
    {
        run.Exit.Should().Be(0, run.Stderr);
        string truncated = CopyModel("truncated"),
            corrupt = CopyModel("corrupt");
        string weights = Path.Combine(truncated, ExportedModel.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        var (exit, _, stderr) = NasProcess.Run("predict", truncated, TestImages);
        exit.Should().Be(1);
        stderr.Should().Contain(weights).And.Contain("truncated").And.NotContain("   at ");

        weights = Path.Combine(corrupt, ExportedModel.WeightsFile);
        bytes = File.ReadAllBytes(weights);
        new Random(1).NextBytes(bytes.AsSpan(0, 64));
        File.WriteAllBytes(weights, bytes);
        (exit, _, stderr) = NasProcess.Run("predict", corrupt, TestImages);
        exit.Should().Be(1);
        stderr.Should().Contain(weights).And.Contain("cannot be loaded").And.NotContain("   at ");
    }

    [Fact]
    public void Predict_reads_an_export_from_before_spaces_as_an_NB201_cell()
    {
        run.Exit.Should().Be(0, run.Stderr);
        // nas-model/1: no space, no operations (always an NB201 cell of the built-in operations).
        string old = CopyModel("format-1");
        string json = Path.Combine(old, ExportedModel.ArchitectureFile);
        var v1 = JObject.Parse(File.ReadAllText(json));
        ((string)v1["format"]!).Should().Be("nas-model/2");
        ((string)v1["space"]!).Should().Be("nb201");
        v1["format"] = "nas-model/1";
        v1.Remove("space");
        v1.Remove("operations");
        File.WriteAllText(json, v1.ToString());
        var (exit, stdout, stderr) = NasProcess.Run("predict", old, TestImages);
        exit.Should().Be(0, stderr);
        var (_, current, _) = NasProcess.Run("predict", run.Model, TestImages);
        stdout.Should().Be(current).And.NotBeEmpty();
    }

    private string CopyModel(string name)
    {
        string copy = Path.Combine(run.Folder, name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(run.Model))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private static JObject EditJson(string model, Action<JObject> edit)
    {
        string path = Path.Combine(model, ExportedModel.ArchitectureFile);
        var json = JObject.Parse(File.ReadAllText(path));
        edit(json);
        File.WriteAllText(path, json.ToString());
        return json;
    }

    private static void ShouldBeOneError(int exit, string stderr, string startsWith)
    {
        exit.Should().Be(1, stderr);
        stderr.Should().StartWith($"error: {startsWith}").And.NotContain("   at ");
        stderr.TrimEnd('\n').Should().NotContain("\n", "it is one line");
        stderr.Length.Should().BeLessThan(600, "it is short");
        stderr.Where(c => (char.IsControl(c) && c != '\n') || c == '\ufffd').Should().BeEmpty("it is printable");
    }

    [Fact]
    public void Export_records_the_size_and_SHA256_of_its_weight_files()
    {
        run.Exit.Should().Be(0, run.Stderr);
        var json = JObject.Parse(File.ReadAllText(Path.Combine(run.Model, ExportedModel.ArchitectureFile)));
        foreach (string file in new[] { ExportedModel.WeightsFile, ExportedModel.PyTorchFile })
        {
            var bytes = File.ReadAllBytes(Path.Combine(run.Model, file));
            var record = json["files"]?[file];
            record.Should().NotBeNull($"architecture.json records {file}");
            ((long)record!["bytes"]!).Should().Be(bytes.Length);
            ((string)record["sha256"]!)
                .Should()
                .Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        }
    }

    [Fact]
    public void Predict_refuses_weights_whose_SHA256_is_not_the_recorded_one()
    {
        run.Exit.Should().Be(0, run.Stderr);
        // Random bytes inside the tensor data: the loader takes them, only the checksum sees them.
        string model = CopyModel("checksum");
        string weights = Path.Combine(model, ExportedModel.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        new Random(2).NextBytes(bytes.AsSpan(bytes.Length / 2, 256));
        File.WriteAllBytes(weights, bytes);
        var (exit, stdout, stderr) = NasProcess.Run("predict", model, TestImages);
        ShouldBeOneError(exit, stderr, weights);
        stderr.Should().Contain("SHA-256").And.Contain(ExportedModel.ArchitectureFile);
        stdout.Should().BeEmpty();
    }

    [Fact]
    public void Predict_loads_an_export_without_checksums_with_a_note_and_keeps_its_loader_error_short()
    {
        run.Exit.Should().Be(0, run.Stderr);
        string old = CopyModel("no-checksum");
        string json = Path.Combine(old, ExportedModel.ArchitectureFile);
        EditJson(old, j => j.Remove("files"));
        var (exit, stdout, stderr) = NasProcess.Run("predict", old, TestImages);
        exit.Should().Be(0, stderr);
        stderr.Should().StartWith($"note: {json}").And.Contain("SHA-256");
        var (_, current, _) = NasProcess.Run("predict", run.Model, TestImages);
        stdout.Should().Be(current).And.NotBeEmpty();

        // Random bytes in the header (names and sizes): the loader's own message is kept short and printable.
        string weights = Path.Combine(old, ExportedModel.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        new Random(3).NextBytes(bytes.AsSpan(0, 64));
        File.WriteAllBytes(weights, bytes);
        (exit, _, stderr) = NasProcess.Run("predict", old, TestImages);
        stderr = string.Join('\n', stderr.Split('\n').Where(l => !l.StartsWith("note: ", StringComparison.Ordinal)));
        ShouldBeOneError(exit, stderr, weights);
        stderr.Should().Contain("cannot be loaded");
    }

    [Theory]
    [InlineData("mean", "[]")]
    [InlineData("mean", "[0.3, 0.4]")]
    [InlineData("mean", "[\"a\"]")]
    [InlineData("std", "[0]")]
    [InlineData("std", "[-0.35]")]
    [InlineData("std", "[1e50]")]
    [InlineData("channels", "1e20")]
    [InlineData("channels", "100000000000000000000")]
    [InlineData("channels", "8.5")]
    [InlineData("channels", "\"8\"")]
    [InlineData("channels", "0")]
    [InlineData("classes", "1")]
    [InlineData("imageSize", "3")]
    [InlineData("cellsPerStage", "0")]
    [InlineData("inputChannels", "0")]
    [InlineData("architecture", "7")]
    [InlineData("files", "[]")]
    [InlineData("files", "{\"model.dat\": {\"bytes\": 1, \"sha256\": \"abc\"}}")]
    public void Predict_names_architecture_json_and_the_field_at_fault(string field, string value)
    {
        run.Exit.Should().Be(0, run.Stderr);
        string model = CopyModel(
            "field-" + field + "-" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(value))
        );
        EditJson(model, j => j[field] = JToken.Parse(value));
        var (exit, stdout, stderr) = NasProcess.Run("predict", model, TestImages);
        ShouldBeOneError(exit, stderr, Path.Combine(model, ExportedModel.ArchitectureFile));
        stderr.Should().Contain($"'{field}'");
        stdout.Should().BeEmpty();
    }

    [Fact]
    public void Predict_checks_a_PNG_header_size_before_decoding_it()
    {
        run.Exit.Should().Be(0, run.Stderr);
        string huge = Path.Combine(run.Folder, "huge.png");
        WritePng(huge, 28);
        var bytes = File.ReadAllBytes(huge);
        // IHDR: length (8..11), type (12..15), width (16..19), height (20..23), ..., CRC of type and data (29..32).
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32(bytes.AsSpan(12, 17)));
        File.WriteAllBytes(huge, bytes);
        var (exit, _, stderr) = NasProcess.Run("predict", run.Model, huge);
        ShouldBeOneError(exit, stderr, huge);
        stderr.Should().Contain("100000×100000").And.Contain("28×28");
    }

    [Fact]
    public void Predict_refuses_a_truncated_PNG_and_another_format_named_png()
    {
        run.Exit.Should().Be(0, run.Stderr);
        string half = Path.Combine(run.Folder, "half.png"),
            idx = Path.Combine(run.Folder, "idx.png");
        WritePng(half, 28);
        var bytes = File.ReadAllBytes(half);
        File.WriteAllBytes(half, bytes[..(bytes.Length / 2)]);
        var (exit, stdout, stderr) = NasProcess.Run("predict", run.Model, half);
        ShouldBeOneError(exit, stderr, half);
        stderr.Should().Contain("truncated");
        stdout.Should().BeEmpty();

        byte[] header = [0, 0, 8, 2, 0, 0, 0, 8, 0, 0, 0, 3];
        File.WriteAllBytes(idx, [.. header, .. new byte[8 * 3]]);
        (exit, stdout, stderr) = NasProcess.Run("predict", run.Model, idx);
        ShouldBeOneError(exit, stderr, idx);
        stderr.Should().Contain("not a PNG");
        stdout.Should().BeEmpty();
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Predict_refuses_no_images_and_labels_outside_the_models_classes()
    {
        run.Exit.Should().Be(0, run.Stderr);
        string empty = Path.Combine(run.Folder, "empty-idx3-ubyte"),
            two = Path.Combine(run.Folder, "two-idx3-ubyte"),
            labels = Path.Combine(run.Folder, "two-idx1-ubyte");
        File.WriteAllBytes(empty, [0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28]);
        var (exit, stdout, stderr) = NasProcess.Run("predict", run.Model, empty);
        ShouldBeOneError(exit, stderr, empty);
        stderr.Should().Contain("holds no image");
        stdout.Should().BeEmpty();

        File.WriteAllBytes(two, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28, .. new byte[2 * 28 * 28]]);
        File.WriteAllBytes(labels, [0, 0, 8, 1, 0, 0, 0, 2, 3, 200]);
        (exit, stdout, stderr) = NasProcess.Run("predict", run.Model, two, "--labels", labels);
        ShouldBeOneError(exit, stderr, labels);
        stderr.Should().Contain("200").And.Contain("10 classes");
        stdout.Should().BeEmpty();
    }

    [Fact]
    public void An_architecture_outside_the_space_is_one_error_naming_it()
    {
        string bad = "|nor_conv_5x5~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|";
        var (exit, stdout, stderr) = NasProcess.Run([
            "train",
            bad,
            .. TinyOptions,
            "--output",
            Path.Combine(run.Folder, "bad"),
        ]);
        exit.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr.Should().Contain(bad).And.Contain("nor_conv_5x5").And.NotContain("   at ");
        Directory.Exists(Path.Combine(run.Folder, "bad")).Should().BeFalse();
    }

    /// <summary>
    /// The exported state dict, loaded with <c>load_state_dict(strict=True)</c> into bench/pytorch_peer.py's
    /// TinyNetwork under Debian's python3-torch, gives TorchSharp's logits on 100 test images within 1e-4.
    /// </summary>
    [SkippableFact]
    public void PyTorch_loads_the_exported_state_dict_and_gives_the_same_logits()
    {
        run.Exit.Should().Be(0, run.Stderr);
        PyTorchGivesTheSameLogits(run.Model);
    }

    /// <summary>
    /// Loads the model folder into bench/pytorch_peer.py's TinyNetwork with bench/pytorch_logits.py and checks its logits
    /// on 100 test images against TorchSharp's (skipped without python3-torch).
    /// </summary>
    internal static void PyTorchGivesTheSameLogits(string modelFolder)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            string arg in new[]
            {
                Path.Combine(ScriptTestKit.RepoRoot, "bench", "pytorch_logits.py"),
                modelFolder,
                TestImages,
                "100",
            }
        )
            start.ArgumentList.Add(arg);
        Skip.IfNot(
            File.Exists("/usr/bin/python3"),
            "/usr/bin/python3 is missing: apt-get install -y python3-torch (.ci/run installs it)"
        );
        using var process = Process.Start(start)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit(120_000).Should().BeTrue("the script ends within two minutes");
        Skip.If(
            process.ExitCode == 3,
            $"python3-torch is missing: apt-get install -y python3-torch (.ci/run installs it). {stderr}"
        );
        process.ExitCode.Should().Be(0, stderr);
        var answer = JObject.Parse(stdoutTask.Result);
        var python = answer["logits"]!.ToObject<float[][]>()!;
        python.Should().HaveCount(100);

        using var host = SandboxHost.Create(typeof(TrainCliTests).Assembly, [], [], lazyScripts: true);
        var (model, network) = ExportedModel.Load(modelFolder, host);
        using var _ = network;
        var images = Nas.Sandbox.Core.Evaluation.Data.IdxFile.Read(TestImages);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = network.call(model.Normalise(images.Data[..(100 * 28 * 28)], 100)).data<float>().ToArray();
        ((int)answer["keys"]!).Should().Be(network.state_dict().Count, "every weight and buffer is in the state dict");
        double worst = 0;
        for (int i = 0; i < 100; i++)
        for (int c = 0; c < 10; c++)
            worst = Math.Max(worst, Math.Abs(python[i][c] - logits[i * 10 + c]));
        worst.Should().BeLessThan(1e-4);
    }
}
