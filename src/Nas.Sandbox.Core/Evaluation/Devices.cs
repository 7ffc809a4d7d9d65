using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation;

/// <summary>Turns <c>--device auto|cpu|cuda[:N]</c> into a TorchSharp device.</summary>
public static class Devices
{
    public static Device Resolve(string name)
    {
        string text = name.Trim().ToLowerInvariant();
        if (text == "auto")
            return cuda.is_available() ? CUDA : CPU;
        if (text == "cpu")
            return CPU;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new NasException(
                    $"--device {name}: CUDA is not available in this build or on this machine (build with -p:NasTorchDevice=cuda on a machine with a GPU)."
                );
            return new Device(text);
        }
        throw new NasException($"--device must be auto, cpu, cuda or cuda:N, not '{name}'.");
    }

    /// <summary>
    /// As <see cref="Resolve"/>, but <c>auto</c> and <c>cpu</c> are resolved when the result is first called: resolving
    /// them loads libtorch, which a race that never trains need not do. Any other name is checked (and resolved) now.
    /// </summary>
    public static Func<Device> ResolveWhenNeeded(string name)
    {
        if (name.Trim().ToLowerInvariant() is "auto" or "cpu")
            return () => Resolve(name);
        var device = Resolve(name);
        return () => device;
    }

    /// <summary>
    /// The device of worker <paramref name="worker"/> (0-based) of a race on <paramref name="name"/>: <c>cuda</c> (or
    /// <c>auto</c> on a machine with GPUs) spreads the workers over the GPUs in turn, <c>cuda:1</c>, <c>cuda:2</c>, ...,
    /// several workers sharing one when there are more workers than GPUs; a named device (<c>cpu</c>, <c>cuda:N</c>) is
    /// every worker's.
    /// </summary>
    public static string ForWorker(string name, int worker)
    {
        string text = name.Trim().ToLowerInvariant();
        if (text == "cuda" || text == "auto" && cuda.is_available())
        {
            Resolve("cuda"); // a clear error when there is none
            return $"cuda:{worker % Math.Max(1, cuda.device_count())}";
        }
        return name;
    }

    /// <summary>
    /// How many GPUs <see cref="ForWorker"/> spreads workers over for <paramref name="name"/>: every GPU for <c>cuda</c>
    /// (and <c>auto</c> on a machine with GPUs), none for <c>cpu</c> or a named <c>cuda:N</c>. A cluster worker offers one
    /// slot per GPU by default.
    /// </summary>
    public static int GpusToSpreadOver(string name)
    {
        string text = name.Trim().ToLowerInvariant();
        if (text == "cuda" || text == "auto" && cuda.is_available())
        {
            Resolve("cuda");
            return Math.Max(1, cuda.device_count());
        }
        return 0;
    }
}
