using System.Globalization;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Early stopping in a race with a fidelity ladder (<c>--early-stop</c>), for any strategy: a trial that spans several
/// rungs is trained rung by rung, and after each rung below its own the rule may stop it there. It then comes back as an
/// ok trial at the rung it reached (its <see cref="Trial.Rung"/> and curve say so, its message says why), having paid
/// only the epochs it trained. The reference is the contestant's own earlier trials, as they stood when the trial was
/// asked (so a race stays the same run after run, with any number of workers).
/// <list type="bullet">
/// <item><c>median</c>: the median stopping rule of Google Vizier (Golovin et al. 2017), on values rather than running
/// averages: stop at epoch e when the trial's validation accuracy is below the median at epoch e of the earlier trials
/// that reached it (at least <see cref="MinimumReference"/> of them).</item>
/// <item><c>curve</c>: learning-curve extrapolation (after Domhan et al. 2015, with one model instead of their
/// ensemble): fit <c>acc(e) = a − b·e^(−c)</c> to the curve so far (least squares in a and b, c on a grid from 0.1 to
/// 3), predict the accuracy at the top rung, and stop when the prediction is below the best accuracy an earlier trial
/// reached there (at least <see cref="MinimumReference"/> trials reached the top, and the curve has two points).</item>
/// </list>
/// </summary>
internal static class EarlyStopping
{
    public const string Median = "median";
    public const string Curve = "curve";
    public static readonly IReadOnlyList<string> Rules = [Median, Curve];

    /// <summary>Earlier trials a rule needs before it stops anything.</summary>
    public const int MinimumReference = 3;

    /// <summary>Why the trial stops after <paramref name="epoch"/> epochs, or null to go on.</summary>
    public static string? Check(
        string rule,
        IReadOnlyList<EpochResult> curve,
        int epoch,
        int topEpochs,
        IReadOnlyList<IReadOnlyList<EpochResult>> reference
    ) =>
        rule switch
        {
            Median => CheckMedian(curve, epoch, reference),
            Curve => CheckCurve(curve, epoch, topEpochs, reference),
            _ => throw new ArgumentException($"unknown early-stopping rule '{rule}'", nameof(rule)),
        };

    private static double? At(IReadOnlyList<EpochResult> curve, int epoch) =>
        curve.FirstOrDefault(p => p.Epoch == epoch)?.ValidationAccuracy;

    private static string? CheckMedian(
        IReadOnlyList<EpochResult> curve,
        int epoch,
        IReadOnlyList<IReadOnlyList<EpochResult>> reference
    )
    {
        if (At(curve, epoch) is not { } mine)
            return null;
        var others = reference.Select(c => At(c, epoch)).OfType<double>().Order().ToArray();
        if (others.Length < MinimumReference)
            return null;
        double median =
            others.Length % 2 == 1
                ? others[others.Length / 2]
                : (others[others.Length / 2 - 1] + others[others.Length / 2]) / 2;
        return mine < median
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"stopped early after {epoch} epochs (median rule): validation accuracy {mine:0.####} is below the median {median:0.####} of {others.Length} earlier trials there"
            )
            : null;
    }

    private static string? CheckCurve(
        IReadOnlyList<EpochResult> curve,
        int epoch,
        int topEpochs,
        IReadOnlyList<IReadOnlyList<EpochResult>> reference
    )
    {
        var points = curve
            .Where(p => p.Epoch <= epoch && p.ValidationAccuracy is not null)
            .Select(p => (X: (double)p.Epoch, Y: p.ValidationAccuracy!.Value))
            .ToArray();
        var finals = reference.Select(c => At(c, topEpochs)).OfType<double>().ToArray();
        if (points.Length < 2 || finals.Length < MinimumReference)
            return null;
        double predicted = Extrapolate(points, topEpochs);
        double best = finals.Max();
        return predicted < best
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"stopped early after {epoch} epochs (curve rule): predicted {predicted:0.####} at {topEpochs} epochs, below the best {best:0.####} of {finals.Length} earlier trials there"
            )
            : null;
    }

    /// <summary>
    /// The fitted <c>a − b·e^(−c)</c> at <paramref name="epochs"/>, clamped to [0, 1]; a curve that does not rise
    /// (b ≤ 0 at every c) predicts its last value.
    /// </summary>
    public static double Extrapolate(IReadOnlyList<(double X, double Y)> points, double epochs)
    {
        double? bestError = null,
            prediction = null;
        for (double c = 0.1; c <= 3.0001; c += 0.1)
        {
            // Linear least squares of y on u = x^(−c): y = a − b·u.
            var u = points.Select(p => Math.Pow(p.X, -c)).ToArray();
            double meanU = u.Average(),
                meanY = points.Average(p => p.Y);
            double suu = u.Sum(v => (v - meanU) * (v - meanU));
            if (suu < 1e-12)
                continue;
            double suy = u.Zip(points, (v, p) => (v - meanU) * (p.Y - meanY)).Sum();
            double b = -suy / suu;
            if (b <= 0)
                continue;
            double a = meanY + b * meanU;
            double error = u.Zip(points, (v, p) => Math.Pow(a - b * v - p.Y, 2)).Sum();
            if (bestError is null || error < bestError)
                (bestError, prediction) = (error, a - b * Math.Pow(epochs, -c));
        }
        return Math.Clamp(prediction ?? points[^1].Y, 0, 1);
    }
}
