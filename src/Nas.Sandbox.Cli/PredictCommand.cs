using System.CommandLine;
using System.Globalization;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas predict MODEL IMAGES [--labels FILE]</c>: classifies an IDX images file (gzip or plain) or one PNG with a model
/// folder that <c>nas train</c> exported, one line per image (index, class number, class name); with labels, the accuracy.
/// </summary>
internal static class PredictCommand
{
    /// <summary>Fashion-MNIST's class names, by label.</summary>
    private static readonly string[] ClassNames =
    [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ];

    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "a model folder nas train wrote (OUTPUT/seed-N)" };
        var images = new Argument<string>("IMAGES")
        {
            Description = "an IDX images file (.gz or plain), or one PNG, of the model's image size",
        };
        var labels = new Option<string?>("--labels")
        {
            Description = "an IDX labels file for IMAGES: also print the accuracy",
            HelpName = "FILE",
        };
        // The model's space is made again to rebuild its network: a plugin or script space needs its folder.
        var plugins = CommonOptions.Plugins();
        var scripts = CommonOptions.Scripts();
        var verbose = CommonOptions.Verbose();
        var command = new Command("predict", "Classify images (IDX or one PNG) with a model that nas train exported.")
        {
            model,
            images,
            labels,
            plugins,
            scripts,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    using var host = SandboxHost.Create(
                        typeof(PredictCommand).Assembly,
                        result.GetValue(plugins),
                        result.GetValue(scripts),
                        lazyScripts: true
                    );
                    return Task.FromResult(
                        Run(host, result.GetValue(model)!, result.GetValue(images)!, result.GetValue(labels))
                    );
                }));
        return command;
    }

    private static int Run(SandboxHost host, string modelFolder, string imagesPath, string? labelsPath)
    {
        var (model, network) = ExportedModel.Load(modelFolder, host);
        using var _ = network;
        var (pixels, count) = imagesPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
            ? (ReadPng(imagesPath, model), 1)
            : ReadIdx(imagesPath, model);
        byte[]? truth = null;
        if (labelsPath is not null)
        {
            var read = IdxFile.Read(labelsPath);
            if (read.Shape.Length != 1 || read.Count != count)
                throw new NasException(
                    $"{labelsPath}: expected {count} labels (one dimension) for {imagesPath}, found shape {string.Join("×", read.Shape)}."
                );
            truth = read.Data;
        }
        var predicted = new int[count];
        using (no_grad())
        {
            using var input = model.Normalise(pixels, count);
            for (int start = 0; start < count; start += 500)
            {
                using var scope = NewDisposeScope();
                int length = Math.Min(500, count - start);
                var classes = network.call(input.narrow(0, start, length)).argmax(1).data<long>().ToArray();
                for (int i = 0; i < length; i++)
                    predicted[start + i] = (int)classes[i];
            }
        }
        var stdout = Console.Out;
        for (int i = 0; i < count; i++)
            stdout.WriteLine(
                $"{i}\t{predicted[i]}\t{(predicted[i] < ClassNames.Length && model.Classes == ClassNames.Length ? ClassNames[predicted[i]] : "")}"
                    + (truth is null ? "" : $"\t{(predicted[i] == truth[i] ? "ok" : $"label {truth[i]}")}")
            );
        if (truth is not null)
        {
            int correct = predicted.Where((p, i) => p == truth[i]).Count();
            Console.Error.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"accuracy {(double)correct / count:0.0000} ({correct}/{count})"
                )
            );
        }
        return 0;
    }

    private static (byte[] Pixels, int Count) ReadIdx(string path, ExportedModel model)
    {
        var idx = IdxFile.Read(path);
        if (
            idx.Shape.Length != 3
            || idx.Shape[1] != model.ImageSize
            || idx.Shape[2] != model.ImageSize
            || model.InputChannels != 1
        )
            throw new NasException(
                $"{path}: images of shape {string.Join("×", idx.Shape)}; the model takes {model.InputChannels}×{model.ImageSize}×{model.ImageSize} "
                    + $"images (an IDX file of N×{model.ImageSize}×{model.ImageSize} grey images)."
            );
        return (idx.Data, idx.Count);
    }

    /// <summary>One PNG of exactly the model's size, grey (a colour image is turned grey by its luminance); another size is an error, not resized.</summary>
    private static byte[] ReadPng(string path, ExportedModel model)
    {
        if (!File.Exists(path))
            throw new NasException($"{path}: file not found.");
        using var bitmap = SKBitmap.Decode(path)
            ?? throw new NasException($"{path}: not a PNG image that can be decoded.");
        if (bitmap.Width != model.ImageSize || bitmap.Height != model.ImageSize || model.InputChannels != 1)
            throw new NasException(
                $"{path}: the image is {bitmap.Width}×{bitmap.Height}; the model takes {model.ImageSize}×{model.ImageSize} grey images "
                    + "(resize it first: nas predict does not, as resizing changes what the model sees)."
            );
        var pixels = new byte[model.ImageSize * model.ImageSize];
        for (int y = 0; y < bitmap.Height; y++)
        for (int x = 0; x < bitmap.Width; x++)
        {
            var c = bitmap.GetPixel(x, y);
            pixels[y * bitmap.Width + x] = (byte)Math.Round(0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue);
        }
        return pixels;
    }
}
