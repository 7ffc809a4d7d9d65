using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
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
/// <c>architecture.json</c> records the size and SHA-256 of <c>model.dat</c> and <c>model.pt</c> (<c>files</c>), written
/// after them; loading checks <c>model.dat</c> against it first. An export from before checksums has no <c>files</c>
/// (<see cref="Files"/> is null) and is loaded unchecked.
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

    /// <summary>One exported file's size and SHA-256 (lower-case hex), as <c>architecture.json</c> records it.</summary>
    public sealed record FileRecord(long Bytes, string Sha256);

    /// <summary>
    /// The size and SHA-256 of each weights file, by name (<c>model.dat</c>, <c>model.pt</c>); null for an export from
    /// before checksums. <see cref="Save"/> fills it from the files it writes.
    /// </summary>
    public IReadOnlyDictionary<string, FileRecord>? Files { get; init; }

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

    /// <summary>
    /// Writes the three files into <paramref name="folder"/> (each whole: written aside, then renamed): the weights
    /// first, then <c>architecture.json</c> with their sizes and SHA-256s, so a folder with <c>architecture.json</c> has
    /// the weights it describes.
    /// </summary>
    public void Save(string folder, nn.Module<Tensor, Tensor> model)
    {
        Directory.CreateDirectory(folder);
        WriteWhole(Path.Combine(folder, WeightsFile), path => model.save(path));
        WriteWhole(Path.Combine(folder, PyTorchFile), path =>
        {
            var renamed = model.state_dict().ToDictionary(p => PyTorchKey(p.Key), p => p.Value);
            using var stream = File.Create(path);
            PyTorchPickler.PickleStateDict(stream, renamed);
        });
        var files = new JObject();
        foreach (string file in new[] { WeightsFile, PyTorchFile })
        {
            var record = Record(Path.Combine(folder, file));
            files[file] = new JObject { ["bytes"] = record.Bytes, ["sha256"] = record.Sha256 };
        }
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
            ["files"] = files,
        };
        WriteWhole(Path.Combine(folder, ArchitectureFile), path => File.WriteAllText(path, json.ToString() + "\n"));
    }

    /// <summary>A file's size and SHA-256.</summary>
    public static FileRecord Record(string path)
    {
        using var stream = File.OpenRead(path);
        return new FileRecord(stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    /// <summary>
    /// Checks <paramref name="path"/> against what <paramref name="jsonPath"/> records of it (nothing when it records
    /// nothing): a size or SHA-256 that differs is an error naming both.
    /// </summary>
    public void Verify(string path, string jsonPath)
    {
        if (Files is null || !Files.TryGetValue(Path.GetFileName(path), out var expected))
            return;
        FileRecord actual;
        try
        {
            actual = Record(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"{path}: cannot be read ({e.Message}).", e);
        }
        if (actual.Bytes != expected.Bytes)
            throw new NasException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: cannot be loaded: {(actual.Bytes < expected.Bytes ? "truncated, " : "")}{actual.Bytes:N0} bytes, not the {expected.Bytes:N0} that {jsonPath} records."
                )
            );
        if (actual.Sha256 != expected.Sha256)
            throw new NasException(
                $"{path}: cannot be loaded: corrupt, its SHA-256 is {actual.Sha256}, not the {expected.Sha256} that {jsonPath} records "
                    + "(the file was changed or damaged after nas train wrote it)."
            );
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
    /// JSON or a field of it (named), a space the host does not have (or cannot make with the recorded operations), an
    /// architecture that does not parse in that space, a weights file of another size or SHA-256 than the JSON records
    /// (checked before loading), weights of another architecture or size, a truncated or corrupt weights file (the
    /// loader's message cut short to printable text).
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
        try
        {
            new NetworkSettings(
                model.Channels,
                model.CellsPerStage,
                model.InputChannels,
                model.ImageSize,
                model.Classes
            ).Validate();
        }
        catch (NasException e)
        {
            throw new NasException($"{jsonPath}: {e.Message}", e);
        }
        model.Verify(weightsPath, jsonPath);
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
                    : $"corrupt, or the weights of another architecture or network size ({Printable(e.Message).TrimEnd('.')})";
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
        JToken Token(string name) =>
            json[name] is { Type: not JTokenType.Null } token
                ? token
                : throw new NasException($"{path}: field '{name}' is missing.");
        string Text(string name) =>
            Token(name) is { Type: JTokenType.String } token
                ? (string)token!
                : throw new NasException($"{path}: field '{name}' must be a string, not {Shown(Token(name))}.");
        int Whole(string name, int minimum)
        {
            var token = Token(name);
            if (token.Type != JTokenType.Integer)
                throw new NasException($"{path}: field '{name}' must be a whole number, not {Shown(token)}.");
            var value = ((JValue)token).Value switch
            {
                BigInteger big => big,
                var other => new BigInteger(Convert.ToInt64(other, CultureInfo.InvariantCulture)),
            };
            if (value < minimum || value > int.MaxValue)
                throw new NasException(
                    $"{path}: field '{name}' must be a whole number from {minimum} to {int.MaxValue}, not {Shown(token)}."
                );
            return (int)value;
        }
        float[] PerChannel(string name, int channels, bool positive)
        {
            if (Token(name) is not JArray array || array.Count != channels)
                throw new NasException(
                    $"{path}: field '{name}' must be an array of {channels} number(s), one per input channel, not {Shown(Token(name))}."
                );
            var values = new float[channels];
            for (int i = 0; i < channels; i++)
            {
                var item = array[i];
                float value = item switch
                {
                    { Type: JTokenType.Float } => (float)(double)item,
                    JValue { Type: JTokenType.Integer, Value: long whole } => whole,
                    _ => float.NaN,
                };
                if (!float.IsFinite(value) || (positive && value <= 0))
                    throw new NasException(
                        $"{path}: field '{name}' must hold {(positive ? "numbers above 0" : "finite numbers")}, not {Shown(item)} (item {i})."
                    );
                values[i] = value;
            }
            return values;
        }
        // Version 1 was an NB201 cell of any operation of the trainer's registry.
        string space = format == FormatV1 ? "nb201" : Text("space");
        IReadOnlyList<string>? operations =
            format == FormatV1 ? host.Operations.Names.ToArray()
            : json["operations"] is null or { Type: JTokenType.Null } ? null
            : json["operations"] is JArray list && list.All(o => o.Type == JTokenType.String)
                ? list.Select(o => (string)o!).ToArray()
            : throw new NasException(
                $"{path}: field 'operations' must be an array of strings, not {Shown(json["operations"]!)}."
            );
        int inputChannels = Whole("inputChannels", 1);
        return new ExportedModel(
            space,
            operations,
            Text("architecture"),
            Whole("channels", 2),
            Whole("cellsPerStage", 1),
            inputChannels,
            Whole("imageSize", 4),
            Whole("classes", 2),
            PerChannel("mean", inputChannels, positive: false),
            PerChannel("std", inputChannels, positive: true)
        )
        {
            Files = ReadFiles(json, path),
        };
    }

    /// <summary>
    /// <c>files</c>: absent (an export from before checksums), or each weights file's <c>bytes</c> and <c>sha256</c>,
    /// <c>model.dat</c>'s at least.
    /// </summary>
    private static Dictionary<string, FileRecord>? ReadFiles(JObject json, string path)
    {
        if (json["files"] is null or { Type: JTokenType.Null })
            return null;
        string shape =
            $"an object of {WeightsFile} (and {PyTorchFile}), each {{\"bytes\": N, \"sha256\": \"64 hex digits\"}}";
        if (json["files"] is not JObject files || files[WeightsFile] is null)
            throw new NasException($"{path}: field 'files' must be {shape}, not {Shown(json["files"]!)}.");
        var records = new Dictionary<string, FileRecord>();
        foreach (var (name, value) in files)
        {
            if (
                name is not (WeightsFile or PyTorchFile)
                || value is not JObject { Count: 2 } record
                || record["bytes"] is not { Type: JTokenType.Integer } bytes
                || ((JValue)bytes).Value is not long size
                || size < 0
                || record["sha256"] is not { Type: JTokenType.String } sha
                || !Sha256Hex().IsMatch((string)sha!)
            )
                throw new NasException(
                    $"{path}: field 'files' must be {shape}; its '{name}' is {Shown(value ?? JValue.CreateNull())}."
                );
            records[name] = new FileRecord(size, (string)sha!);
        }
        return records;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    /// <summary>A JSON value as an error shows it: on one line, cut short.</summary>
    private static string Shown(JToken token) => Printable(token.ToString(Formatting.None), 80);

    /// <summary>
    /// A message as an error line may hold it: printable ASCII (anything else, e.g. the raw bytes a corrupt file's
    /// name field holds, as '?'), at most <paramref name="limit"/> characters.
    /// </summary>
    public static string Printable(string message, int limit = 200)
    {
        var text = new StringBuilder();
        foreach (char c in message)
        {
            if (text.Length >= limit)
                return text.Append("...").ToString();
            bool plain = c is >= ' ' and < (char)0x7f;
            if (plain || text.Length == 0 || text[^1] != '?')
                text.Append(plain ? c : '?');
        }
        return text.ToString();
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
