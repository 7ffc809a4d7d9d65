using System.Buffers.Binary;
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
        if (model.Files is null)
            Console.Error.WriteLine(
                $"note: {Path.Combine(modelFolder, ExportedModel.ArchitectureFile)} records no SHA-256 of "
                    + $"{ExportedModel.WeightsFile} (an export from before checksums): its weights are loaded unchecked."
            );
        var (pixels, count) = imagesPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
            ? (ReadPng(imagesPath, model), 1)
            : ReadIdx(imagesPath, model);
        if (count == 0)
            throw new NasException($"{imagesPath}: IMAGES holds no image (an IDX file of 0 images).");
        byte[]? truth = null;
        if (labelsPath is not null)
        {
            var read = IdxFile.Read(labelsPath);
            if (read.Shape.Length != 1 || read.Count != count)
                throw new NasException(
                    $"{labelsPath}: expected {count} labels (one dimension) for {imagesPath}, found shape {string.Join("×", read.Shape)}."
                );
            truth = read.Data;
            int outside = Array.FindIndex(truth, label => label >= model.Classes);
            if (outside >= 0)
                throw new NasException(
                    $"{labelsPath}: label {truth[outside]} (item {outside}) is not a class of the model, which has "
                        + $"{model.Classes} classes (0 to {model.Classes - 1})."
                );
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

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>
    /// One PNG of exactly the model's size, grey (a colour image is turned grey by its luminance); another size is an
    /// error, not resized. Before decoding: PNG's signature, the size its header (IHDR) gives, and its chunks up to
    /// IEND (a truncated file is refused); then the decoder must decode it whole.
    /// </summary>
    private static byte[] ReadPng(string path, ExportedModel model)
    {
        if (!File.Exists(path))
            throw new NasException($"{path}: file not found.");
        try
        {
            CheckPng(path, model);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"{path}: cannot be read ({e.Message}).", e);
        }
        using var codec = SKCodec.Create(path, out var created)
            ?? throw new NasException($"{path}: not a PNG image that can be decoded ({created}).");
        if (codec.EncodedFormat != SKEncodedImageFormat.Png)
            throw new NasException($"{path}: not a PNG image (the decoder reads it as {codec.EncodedFormat}).");
        // As SKBitmap.Decode: the platform's colour type, premultiplied.
        var info = codec.Info.WithColorType(SKImageInfo.PlatformColorType);
        if (info.AlphaType == SKAlphaType.Unpremul)
            info = info.WithAlphaType(SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var decoded = codec.GetPixels(info, bitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
            throw new NasException(
                $"{path}: a damaged PNG: it cannot be decoded whole ({decoded}{(decoded == SKCodecResult.IncompleteInput ? ": truncated" : "")})."
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

    /// <summary>PNG's signature, its IHDR's size against the model's, and chunk lengths that reach IEND within the file.</summary>
    private static void CheckPng(string path, ExportedModel model)
    {
        using var file = File.OpenRead(path);
        var head = new byte[33];
        int got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (got < PngSignature.Length || !head.AsSpan(0, PngSignature.Length).SequenceEqual(PngSignature))
            throw new NasException(
                $"{path}: not a PNG file (it does not start with PNG's signature; IMAGES not named .png is read as IDX)."
            );
        if (got < head.Length)
            throw new NasException($"{path}: a truncated PNG ({got} bytes, not even its header).");
        if (BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(8)) != 13 || !head.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            throw new NasException($"{path}: a damaged PNG (its first chunk is not a header, IHDR).");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16)),
            height = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20));
        if (width != model.ImageSize || height != model.ImageSize || model.InputChannels != 1)
            throw new NasException(
                $"{path}: the image is {width}×{height}; the model takes {model.ImageSize}×{model.ImageSize} grey images "
                    + "(resize it first: nas predict does not, as resizing changes what the model sees)."
            );
        // Each chunk: length (4 bytes), type (4), data, CRC (4); the last is IEND.
        long position = PngSignature.Length;
        var chunk = new byte[8];
        while (true)
        {
            file.Position = position;
            if (file.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) < 8)
                throw new NasException($"{path}: a truncated PNG (it ends before its last chunk, IEND).");
            long end = position + 12 + BinaryPrimitives.ReadUInt32BigEndian(chunk);
            if (end > file.Length)
                throw new NasException(
                    $"{path}: a truncated PNG (a chunk runs past the end of the file; it has no IEND chunk)."
                );
            if (chunk.AsSpan(4).SequenceEqual("IEND"u8))
                return;
            position = end;
        }
    }
}
