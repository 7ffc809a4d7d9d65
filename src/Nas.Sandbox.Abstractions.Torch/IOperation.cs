using static TorchSharp.torch;

namespace Nas.Sandbox.Abstractions;

/// <summary>
/// A named building block placed on a cell edge. Plugins and scripts add operations to the registry under new names.
/// The module maps [batch, channelsIn, H, W] to [batch, channelsOut, H/stride, W/stride].
/// (API 2.0: moved to this assembly, Nas.Sandbox.Abstractions.Torch, from Nas.Sandbox.Abstractions.)
/// </summary>
public interface IOperation
{
    /// <summary>Name used in architecture strings, e.g. <c>nor_conv_3x3</c>.</summary>
    string Name { get; }

    nn.Module<Tensor, Tensor> Build(int channelsIn, int channelsOut, int stride);
}
