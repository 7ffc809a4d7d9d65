using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Replacements for the TorchSharp 0.107 calls that hand libtorch a Scalar nothing holds (API 2.4). TorchSharp converts
/// numbers to native Scalars implicitly: <c>a + b</c> on tensors passes an implicit <c>alpha</c> of 1, and
/// <c>nn.BatchNorm2d</c>'s forward counts its training batches with <c>num_batches_tracked.add_(1)</c>. Such a Scalar is
/// freed by its finalizer, and nothing keeps it alive once its handle has been read, so a garbage collection during the
/// native call can free it while libtorch reads it: a rare <c>Unknown scalar type</c> or <c>Expected false to be true</c>
/// from <c>c10::Scalar</c>, killing a trial or a training about once in thousands of steps. Every network the host builds
/// uses these; operations and spaces in plugins and scripts should too. Same arithmetic as TorchSharp's, bit for bit.
/// <para>To hold a Scalar of your own, make it explicitly and keep it in a variable until the call returns:
/// <c>using var rate = 0.1.ToScalar(); x.mul_(rate);</c>, never <c>x.mul_(0.1)</c> or <c>x * 0.1</c>.</para>
/// </summary>
public static class SafeTorch
{
    /// <summary>
    /// The Scalar 1, made once and held by this static field for the life of the process, so no garbage collection can
    /// free it, and no dispose scope either (scopes do not track Scalars). Pass it wherever TorchSharp would make an
    /// implicit 1: <c>a.add(b, SafeTorch.One)</c> for <c>a.add(b)</c>, <c>a.add_(s, SafeTorch.One)</c> for <c>a.add_(s)</c>.
    /// </summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary><c>a + b</c> on tensors, bit for bit, with its <c>alpha</c> held.</summary>
    public static Tensor Plus(Tensor a, Tensor b) => a.add(b, One);

    /// <summary>
    /// <c>nn.BatchNorm2d</c> with the same arguments, arithmetic, parameters, buffers and state-dict names
    /// (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>), so checkpoints
    /// and PyTorch state dicts load into either; its forward holds the batch count's Scalars.
    /// </summary>
    public static BatchNorm BatchNorm2d(
        long features,
        double eps = 1e-5,
        double momentum = 0.1,
        bool affine = true,
        bool trackRunningStats = true
    ) => new HeldBatchNorm2d(features, eps, momentum, affine, trackRunningStats);

    /// <summary>TorchSharp 0.107's <c>BatchNorm.forward</c> for 4-d input, with its batch count's Scalars held.</summary>
    private sealed class HeldBatchNorm2d(
        long features,
        double eps,
        double momentum,
        bool affine,
        bool trackRunningStats
    ) : BatchNorm(features, eps, momentum, affine, trackRunningStats, null, null, "BatchNorm2d")
    {
        public override Tensor forward(Tensor input)
        {
            ValidateInputDimensions(input);
            double averagingFactor = momentum ?? 0.0;
            if (training && track_running_stats && num_batches_tracked is { } tracked)
            {
                tracked.add_(One, One);
                averagingFactor = momentum ?? 1.0 / tracked.ToDouble();
            }
            bool useBatchStatistics = training || (running_mean is null && running_var is null);
            bool passRunningStatistics = !training || track_running_stats;
            return nn.functional.batch_norm(
                input,
                passRunningStatistics ? running_mean : null,
                passRunningStatistics ? running_var : null,
                weight,
                bias,
                useBatchStatistics,
                averagingFactor,
                eps
            );
        }

        protected override void ValidateInputDimensions(Tensor input)
        {
            if (input.ndim != 4)
                throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
        }
    }
}
