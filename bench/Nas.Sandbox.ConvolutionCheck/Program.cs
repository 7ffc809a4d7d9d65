using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Model;
using static TorchSharp.torch;

// Compares libtorch's float32 convolution (forward, input gradient, weight gradient) with its float64 one (ATen's own
// kernels: oneDNN has no float64) over a grid of channel counts, kernels, strides, dilations and groups, 32 images of
// 14x14, and prints each case that is wrong (relative error of 1e-4 or more) or that ConvolutionCheck's rule names, and
// whether the check refuses it on this machine (where its probe finds the bug, or NAS_CONVOLUTION_CHECK=rule).
// Usage: [ROUNDS (default 3)] [all (print every case)]. Run under the hosts' cap (the default) or with
// ONEDNN_MAX_CPU_ISA=ALL or another level to see what that level gets wrong.
TorchRuntime.Configure();
Console.WriteLine(
    $"oneDNN block {ConvolutionCheck.Block} floats (ONEDNN_MAX_CPU_ISA={Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA")}); "
        + $"the rule applies here: {ConvolutionCheck.WhyTheRuleApplies() ?? "no (the probe finds libtorch right)"}"
);
int wrongCases = 0,
    unrefused = 0,
    refusedButRight = 0;
manual_seed(1);
int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
long[] widths = [1, 3, 4, 8, 12, 16, 20, 24, 40, 48];
var cases = new List<(long In, long Out, long K, long Stride, long Dilation, long Groups)>();
foreach (long k in new long[] { 3, 1 })
foreach (long cin in widths)
foreach (long cout in widths.Where(w => w > 1))
    cases.Add((cin, cout, k, 1, 1, 1));
foreach (long c in new long[] { 4, 8, 12, 16, 20, 24 })
{
    cases.Add((c, c, 3, 1, 1, c)); // depthwise
    cases.Add((c, c, 5, 1, 1, c));
    cases.Add((c, c, 3, 1, 2, c)); // dilated depthwise
    cases.Add((c, c, 3, 1, 2, 1)); // dilated
    cases.Add((c, 2 * c, 3, 2, 1, 1)); // strided
}
foreach (var c in cases)
{
    var bad = new int[3];
    for (int r = 0; r < rounds; r++)
    {
        using var scope = NewDisposeScope();
        var x = randn(32, c.In, 14, 14).requires_grad_(true);
        var w = (randn(c.Out, c.In / c.Groups, c.K, c.K) * 0.3).requires_grad_(true);
        long pad = c.K / 2 * c.Dilation;
        Tensor Conv(Tensor a, Tensor b) =>
            nn.functional.conv2d(
                a,
                b,
                strides: [c.Stride, c.Stride],
                padding: [pad, pad],
                dilation: [c.Dilation, c.Dilation],
                groups: c.Groups
            );
        var y = Conv(x, w);
        var g = randn_like(y);
        y.backward([g]);
        var x64 = x.detach().to(float64).requires_grad_(true);
        var w64 = w.detach().to(float64).requires_grad_(true);
        var y64 = Conv(x64, w64);
        y64.backward([g.to(float64)]);
        var pairs = new[] { (y, y64), (x.grad!, x64.grad!), (w.grad!, w64.grad!) };
        for (int p = 0; p < 3; p++)
        {
            double err = (
                (pairs[p].Item1.to(float64) - pairs[p].Item2).abs().max() / (pairs[p].Item2.abs().max() + 1e-9)
            ).item<double>();
            if (!(err < 1e-4))
                bad[p]++;
        }
    }
    bool wrong = bad.Any(b => b > 0),
        named = ConvolutionCheck.RuleProblem(c.In, c.Out, c.K * c.K, c.Groups) is not null,
        refused = ConvolutionCheck.Problem(c.In, c.Out, c.K * c.K, c.Groups) is not null;
    wrongCases += wrong ? 1 : 0;
    unrefused += wrong && !refused ? 1 : 0;
    refusedButRight += !wrong && refused ? 1 : 0;
    if (wrong || named || args.Contains("all"))
        Console.WriteLine(
            $"in {c.In, 3} out {c.Out, 3} k {c.K} stride {c.Stride} dil {c.Dilation} groups {c.Groups, 2}: "
                + $"wrong fwd/in-grad/w-grad {string.Join("/", bad)} of {rounds}; {(named ? "named" : "not named")} by the rule, "
                + $"{(refused ? "refused" : wrong ? "ALLOWED" : "allowed")} here"
        );
}
Console.WriteLine(
    $"{cases.Count} cases checked, {wrongCases} wrong, {unrefused} of them allowed by ConvolutionCheck; {refusedButRight} right but refused"
);
return unrefused == 0 ? 0 : 1;
