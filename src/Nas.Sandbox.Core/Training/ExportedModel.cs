using System.Text.RegularExpressions;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Training;

/// <summary>
/// A trained model on disk, one folder: <c>architecture.json</c> (the search space and its operations, the
/// architecture, the network's size, the input shape and normalisation), <c>model.dat</c> (the weights and batch-norm
/// statistics in TorchSharp's format) and <c>model.pt</c> (the same as a PyTorch state dict, written by
/// TorchSharp.PyBridge; for an NB201 cell its keys are those of NAS-Bench-201's <c>TinyNetwork</c> as
/// bench/pytorch_peer.py defines it, DARTS' inside its convolutions' <c>op</c> sequences, so
/// <c>load_state_dict(strict=True)</c> takes it; other spaces' keys are TorchSharp's, renamed the same way).
/// The network is rebuilt by the space's provider, resolved by the host as <c>nas race --space</c> resolves it.
/// </summary>
public sealed partial record ExportedModel(
    string Space,
    IReadOnlyList<string>? Operations,
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
    /// <summary>
    /// Version 2 records the space (<c>space</c>, <c>operations</c>); version 1 (before spaces) was always an NB201
    /// cell of any built-in operation, and is still read as one.
    /// </summary>
    public const string Format = "nas-model/2",
        FormatV1 = "nas-model/1";

    public const string ArchitectureFile = "architecture.json",
        WeightsFile = "model.dat",
        PyTorchFile = "model.pt";

    /// <summary>What the space's builder is given (the host's operations build the layers).</summary>
    public NetworkShape ShapeFor(SandboxHost host) =>
        new()
        {
            InputChannels = InputChannels,
            ImageSize = ImageSize,
            Classes = Classes,
            Channels = Channels,
            CellsPerStage = CellsPerStage,
            BuildOperation = host.BuildOperation,
        };

    /// <summary>Writes the three files into <paramref name="folder"/> (each whole: written aside, then renamed).</summary>
    public void Save(string folder, nn.Module<Tensor, Tensor> model)
    {
        Directory.CreateDirectory(folder);
        var json = new JObject
        {
            ["format"] = Format,
            ["space"] = Space,
            ["operations"] = Operations is null ? null : new JArray(Operations),
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
    /// Reads a model folder and builds its network, by its space's provider from <paramref name="host"/>, with the
    /// saved weights (in eval mode). Each problem is an error naming the file: a missing or malformed architecture
    /// JSON, a space the host does not have (or cannot make with the recorded operations), an architecture that does
    /// not parse in that space, weights of another architecture or size, a truncated or corrupt weights file.
    /// </summary>
    public static (ExportedModel Model, nn.Module<Tensor, Tensor> Network) Load(string folder, SandboxHost host)
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
        var model = ReadJson(jsonPath, host);
        ISearchSpace space;
        SpaceEntry entry;
        try
        {
            entry = host.ResolveSpace(model.Space);
            space = host.CreateSpace(model.Space, model.Operations, model.Channels, model.CellsPerStage);
        }
        catch (NasException e)
        {
            throw new NasException(
                $"{jsonPath}: space '{model.Space}' cannot be made here: {e.Message} "
                    + "(a space from a plugin or script needs its folder: give it with --plugins or --scripts).",
                e
            );
        }
        Architecture architecture;
        try
        {
            architecture = space.Parse(model.Architecture);
        }
        catch (Exception e) when (e is NasException or ArchitectureFormatException or ArgumentException)
        {
            throw new NasException($"{jsonPath}: architecture is not one of space '{model.Space}': {e.Message}", e);
        }
        new NetworkSettings(
            model.Channels,
            model.CellsPerStage,
            model.InputChannels,
            model.ImageSize,
            model.Classes
        ).Validate();
        nn.Module<Tensor, Tensor> network;
        try
        {
            network = entry.Provider.BuildNetwork(architecture, model.ShapeFor(host));
        }
        catch (Exception e) when (e is not NasException and not OutOfMemoryException)
        {
            throw new NasException(
                $"{jsonPath}: space '{model.Space}' ({entry.Source}) cannot build the network of {model.Architecture}: {e.Message}",
                e
            );
        }
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
        catch (Exception e)
        {
            network.Dispose();
            if (e is NasException)
                throw;
            string why =
                e is EndOfStreamException
                    ? "truncated"
                    : $"corrupt, or the weights of another architecture or network size ({e.Message})";
            throw new NasException(
                $"{weightsPath}: cannot be loaded as the network of {jsonPath} ({model.Space} {model.Architecture}, C={model.Channels}, N={model.CellsPerStage}): {why}.",
                e
            );
        }
        network.eval();
        return (model, network);
    }

    private static ExportedModel ReadJson(string path, SandboxHost host)
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
        string? format = (string?)json["format"];
        if (format is not (Format or FormatV1))
            throw new NasException(
                $"{path}: format must be \"{Format}\" (or \"{FormatV1}\"), not {json["format"]?.ToString() ?? "missing"}."
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
        // Version 1 was an NB201 cell of any operation of the trainer's registry.
        string space = format == FormatV1 ? "nb201" : Field<string>("space");
        IReadOnlyList<string>? operations =
            format == FormatV1 ? host.Operations.Names.ToArray()
            : json["operations"] is null or { Type: JTokenType.Null } ? null
            : Field<string[]>("operations");
        return new ExportedModel(
            space,
            operations,
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
