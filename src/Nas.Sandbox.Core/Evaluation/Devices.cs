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
}
