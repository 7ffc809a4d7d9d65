using Nas.Sandbox.Core.Evaluation.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Estimators;

/// <summary>
/// A trial's training state on disk, so that a later trial can continue it: a format tag, the epochs trained, the
/// network's state dict (weights and batch-norm statistics) and the SGD optimiser's state (momentum buffers), in
/// TorchSharp's own binary formats. Written to a temporary file and renamed over the target, so a kill leaves either
/// the old file, the whole new one, or a stray <c>.tmp</c> that is never read: a continuation finds a whole checkpoint or
/// none (and then trains from scratch, paying for it).
/// </summary>
internal static class TrainingCheckpointFile
{
    private const string Tag = "nas-checkpoint/1";

    public static void Save(string path, nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, int epochs)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Tag);
            writer.Write(epochs);
            model.save(writer);
            optimizer.save_state_dict(writer);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The epochs a checkpoint holds, read from its header alone.</summary>
    public static int Epochs(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        string tag = reader.ReadString();
        if (tag != Tag)
            throw new NasException($"{path}: not a training checkpoint ({Tag}).");
        return reader.ReadInt32();
    }

    /// <summary>Loads the state into <paramref name="model"/> and <paramref name="optimizer"/>; the epochs it holds.</summary>
    public static int Load(string path, nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        string tag = reader.ReadString();
        if (tag != Tag)
            throw new NasException($"{path}: not a training checkpoint ({Tag}).");
        int epochs = reader.ReadInt32();
        model.load(reader);
        optimizer.load_state_dict(reader);
        return epochs;
    }
}
