using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// Whether the libtorch in this process really miscomputes the convolutions <see cref="ConvolutionCheck"/>'s rule
/// describes. The bug is the CPU's as much as oneDNN's: on the "AMD EPYC" VMs it was found on (6 December 2026) every
/// such convolution came out wrong, every time; on a Zen 5 EPYC (family 26, 7 December) the same libtorch, the same
/// kernels (<c>jit:avx2</c>, 8-float blocks) computed all 210 cases of <c>bench/Nas.Sandbox.ConvolutionCheck</c> right,
/// at AVX2 and at AVX-512. So the rule is applied only where a probe finds the bug, measured once per process, the
/// first time the rule would refuse a layer: three convolutions of the kinds the rule names, one forward and backward
/// pass each in float32 against libtorch's float64 (ATen's kernels; oneDNN has no float64), about 20 ms.
/// </summary>
internal static class ConvolutionProbe
{
    /// <summary>The relative error above which a convolution counts as wrong: the bug's are 0.4-0.9 (or NaN), right ones about 1e-7.</summary>
    private const double Wrong = 1e-2;

    private static readonly Lazy<string?> Measured = new(Measure);

    /// <summary>The first probed convolution libtorch computes wrongly here (as "12→8 forward pass"), or null when all are right.</summary>
    public static string? WrongCase => Measured.Value;

    private static string? Measure()
    {
        TorchRuntime.EnsureLoaded();
        int block = ConvolutionCheck.Block;
        // The input gradient of outputs that do not fill a block (4→4: the old "NaN of tiny networks"; block→block+4),
        // and the forward pass of inputs that do not (block+4 → block).
        (int In, int Out)[] cases = [(4, 4), (block, block + 4), (block + 4, block)];
        foreach (var (channelsIn, channelsOut) in cases)
        {
            var (forward, inputGradient) = RelativeErrors(channelsIn, channelsOut);
            if (!(forward < Wrong))
                return $"{channelsIn}→{channelsOut} forward pass";
            if (!(inputGradient < Wrong))
                return $"{channelsIn}→{channelsOut} input gradient";
        }
        return null;
    }

    /// <summary>A 3×3 convolution of 16 random 14×14 images, its relative errors against float64 (NaN counts as wrong).</summary>
    internal static (double Forward, double InputGradient) RelativeErrors(int channelsIn, int channelsOut)
    {
        using var scope = NewDisposeScope();
        // A generator of its own: the probe must not move the global one a race's seeds drive.
        using var generator = new Generator(7);
        var x = randn([16, channelsIn, 14, 14], generator: generator).requires_grad_(true);
        var w = randn([channelsOut, channelsIn, 3, 3], generator: generator).requires_grad_(true);
        var y = nn.functional.conv2d(x, w, padding: [1, 1]);
        var upstream = randn(y.shape, generator: generator);
        y.backward([upstream]);
        var x64 = x.detach().to(float64).requires_grad_(true);
        var w64 = w.detach().to(float64).requires_grad_(true);
        var y64 = nn.functional.conv2d(x64, w64, padding: [1, 1]);
        y64.backward([upstream.to(float64)]);
        return (Relative(y, y64), Relative(x.grad!, x64.grad!));
    }

    // On managed copies: no tensor arithmetic, so no Scalar for libtorch to read while nothing holds it.
    private static double Relative(Tensor actual, Tensor expected)
    {
        double[] a = actual.detach().to(float64).data<double>().ToArray();
        double[] e = expected.detach().data<double>().ToArray();
        double difference = 0,
            scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            difference = Math.Max(difference, double.IsNaN(a[i]) ? double.PositiveInfinity : Math.Abs(a[i] - e[i]));
            scale = Math.Max(scale, Math.Abs(e[i]));
        }
        return difference / scale;
    }
}
