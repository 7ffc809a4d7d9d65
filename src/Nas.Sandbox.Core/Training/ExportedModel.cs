using System.Text.RegularExpressions;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Training;

/// <summary>
/// A trained model on disk, one folder: <c>architecture.json</c> (the cell, the network's size, the input shape and
/// normalisation), <c>model.dat</c> (the weights and batch-norm statistics in TorchSharp's format) and <c>model.pt</c>
/// (the same as a PyTorch state dict, written by TorchSharp.PyBridge, its keys those of NAS-Bench-201's
/// <c>TinyNetwork</c> as bench/pytorch_peer.py defines it, DARTS' inside its convolutions' <c>op</c> sequences, so
/// <c>load_state_dict(strict=True)</c> takes it).
/// </summary>
public sealed partial record ExportedModel(
    string Architecture,
    int Channels,
    int CellsPerStage,
    int InputChannels,
    int ImageSize,
    int Classes,
    float[] Mean,
    float[] Std
)
{
    public const string Format = "nas-model/1";
    public const string ArchitectureFile = "architecture.json",
        WeightsFile = "model.dat",
        PyTorchFile = "model.pt";

    public NetworkSettings Network => new(Channels, CellsPerStage, InputChannels, ImageSize, Classes);

    /// <summary>Writes the three files into <paramref name="folder"/> (each whole: written aside, then renamed).</summary>
    public void Save(string folder, Nb201Network model)
    {
        Directory.CreateDirectory(folder);
        var json = new JObject
        {
            ["format"] = Format,
            ["architecture"] = Architecture,
            ["channels"] = Channels,
            ["cellsPerStage"] = CellsPerStage,
            ["inputChannels"] = InputChannels,
            ["imageSize"] = ImageSize,
            ["classes"] = Classes,
            ["mean"] = new JArray(Mean),
            ["std"] = new JArray(Std),
        };
        WriteWhole(Path.Combine(folder, ArchitectureFile), path => File.WriteAllText(path, json.ToString() + "\n"));
        WriteWhole(Path.Combine(folder, WeightsFile), path => model.save(path));
        WriteWhole(Path.Combine(folder, PyTorchFile), path =>
        {
            var renamed = model.state_dict().ToDictionary(p => PyTorchKey(p.Key), p => p.Value);
            using var stream = File.Create(path);
            PyTorchPickler.PickleStateDict(stream, renamed);
        });
    }

    private static void WriteWhole(string path, Action<string> write)
    {
        string temporary = path + ".tmp";
        write(temporary);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// A TorchSharp parameter name as NB201's PyTorch network names it: a cell's <c>edges</c> are its <c>layers</c>,
    /// ReLU-conv-BN's <c>conv</c> and <c>bn</c> are the 2nd and 3rd modules of its <c>op</c> sequence (the ReLU is the
    /// 1st), and the final batch norm is the 1st module of <c>lastact</c>.
    /// </summary>
    public static string PyTorchKey(string key)
    {
        key = EdgesSegment().Replace(key, ".layers.");
        key = ConvSegment().Replace(key, "${1}op.1.");
        key = BnSegment().Replace(key, "${1}op.2.");
        return key.StartsWith("lastact_bn.", StringComparison.Ordinal)
            ? "lastact.0." + key["lastact_bn.".Length..]
            : key;
    }

    [GeneratedRegex(@"\.edges\.")]
    private static partial Regex EdgesSegment();

    // Only ReLU-conv-BN's convolution (a weight right under it): an inverted residual's own `conv` sequence
    // (`conv.0.0.weight`, torchvision's name) keeps its name.
    [GeneratedRegex(@"(^|\.)conv\.(?=weight$)")]
    private static partial Regex ConvSegment();

    [GeneratedRegex(@"(^|\.)bn\.")]
    private static partial Regex BnSegment();

    /// <summary>
    /// Reads a model folder and builds its network with the saved weights (in eval mode). Each problem is an error
    /// naming the file: a missing or malformed architecture JSON, an architecture that is not an NB201 cell of
    /// <paramref name="operations"/>, weights of
    /// another architecture or size, a truncated or corrupt weights file.
    /// </summary>
    public static (ExportedModel Model, Nb201Network Network) Load(string folder, OperationRegistry operations)
    {
        if (!Directory.Exists(folder))
            throw new NasException(
                File.Exists(folder)
                    ? $"{folder}: a model is a folder (nas train writes one per seed, e.g. OUTPUT/seed-0), not a file."
                    : $"{folder}: no such model folder."
            );
        string jsonPath = Path.Combine(folder, ArchitectureFile),
            weightsPath = Path.Combine(folder, WeightsFile);
        foreach (string required in new[] { jsonPath, weightsPath })
            if (!File.Exists(required))
                throw new NasException($"{required}: missing; {folder} is not a model folder written by nas train.");
        var model = ReadJson(jsonPath);
        string[] choices;
        try
        {
            choices = Nb201Format.Parse(model.Architecture, operations.Names);
        }
        catch (Exception e) when (e is NasException or ArchitectureFormatException)
        {
            throw new NasException($"{jsonPath}: architecture: {e.Message}", e);
        }
        model.Network.Validate();
        var network = new Nb201Network(
            new Architecture(Nb201Format.Format(choices), choices),
            model.Network,
            operations
        );
        try
        {
            using var stream = File.OpenRead(weightsPath);
            using var reader = new BinaryReader(stream);
            network.load(reader, strict: true);
            if (stream.Position != stream.Length)
                throw new NasException(
                    $"{weightsPath}: {stream.Length - stream.Position} bytes follow the weights: it is not the model of {jsonPath}."
                );
        }
        catch (Exception e) when (e is not NasException)
        {
            network.Dispose();
            string why =
                e is EndOfStreamException
                    ? "truncated"
                    : $"corrupt, or the weights of another architecture or network size ({e.Message})";
            throw new NasException(
                $"{weightsPath}: cannot be loaded as the network of {jsonPath} ({model.Architecture}, C={model.Channels}, N={model.CellsPerStage}): {why}.",
                e
            );
        }
        network.eval();
        return (model, network);
    }

    private static ExportedModel ReadJson(string path)
    {
        JObject json;
        try
        {
            json = JObject.Parse(File.ReadAllText(path));
        }
        catch (JsonReaderException e)
        {
            throw new NasException($"{path}: not valid JSON ({e.Message}).", e);
        }
        if ((string?)json["format"] != Format)
            throw new NasException(
                $"{path}: format must be \"{Format}\", not {json["format"]?.ToString() ?? "missing"}."
            );
        T Field<T>(string name)
        {
            var token = json[name] ?? throw new NasException($"{path}: field '{name}' is missing.");
            try
            {
                return token.ToObject<T>() ?? throw new NasException($"{path}: field '{name}' is null.");
            }
            catch (Exception e) when (e is JsonException or ArgumentException or FormatException)
            {
                throw new NasException($"{path}: field '{name}' is not a {typeof(T).Name}: {token}.", e);
            }
        }
        return new ExportedModel(
            Field<string>("architecture"),
            Field<int>("channels"),
            Field<int>("cellsPerStage"),
            Field<int>("inputChannels"),
            Field<int>("imageSize"),
            Field<int>("classes"),
            Field<float[]>("mean"),
            Field<float[]>("std")
        );
    }

    /// <summary>Images (bytes, [n, C, H, W]) normalised as in training, as a float tensor.</summary>
    public Tensor Normalise(byte[] pixels, int count)
    {
        int plane = ImageSize * ImageSize;
        var values = new float[pixels.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int c = i / plane % InputChannels;
            values[i] = (pixels[i] / 255f - Mean[c]) / Std[c];
        }
        return tensor(values, [count, InputChannels, ImageSize, ImageSize]);
    }
}
