using TorchSharp;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>NAS-Bench-201's <c>none</c>: the edge carries zeros of the output's shape (no parameters).</summary>
public sealed class Zero : nn.Module<Tensor, Tensor>
{
    private readonly long channels_in,
        channels_out,
        stride;

    public Zero(long channelsIn, long channelsOut, long stride)
        : base(nameof(Zero))
    {
        (channels_in, channels_out, this.stride) = (channelsIn, channelsOut, stride);
    }

    public override Tensor forward(Tensor input)
    {
        if (channels_in == channels_out && stride == 1)
        {
            // NB201's x.mul(0.) (a NaN stays NaN), with the Scalar held until the call returns: an implicit one can
            // be freed by its finalizer while libtorch reads it (docs/reference/platform.md, "Optimizer Scalars").
            using var zero = 0.0.ToScalar();
            return input.mul(zero);
        }
        long[] shape = input.shape.ToArray();
        shape[1] = channels_out;
        shape[2] = (shape[2] + stride - 1) / stride;
        shape[3] = (shape[3] + stride - 1) / stride;
        return zeros(shape, input.dtype, input.device);
    }
}
