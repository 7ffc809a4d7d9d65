using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Cli.Report;

/// <summary>
/// A contestant's best score so far over heats, on a shared x grid (evaluations, or seconds of its trials' cost): per x,
/// the min and max over the heats that have a score by then, and the mean once every heat has one (so the mean does
/// not jump when a slower heat's first score joins it); NaN where there is none.
/// </summary>
internal sealed record BestSoFarSeries(string Contestant, double[] X, double[] Mean, double[] Min, double[] Max)
{
    /// <summary>Over evaluations: x = 1 .. the most trials any heat ran.</summary>
    public static BestSoFarSeries ByEvaluations(ReportData data, string contestant)
    {
        var heats = data.Heats.Select(h => Curve(data.Of(contestant, h), _ => 1)).ToArray();
        int longest = heats.Select(c => c.Count).DefaultIfEmpty(0).Max();
        var x = Enumerable.Range(1, longest).Select(i => (double)i).ToArray();
        return Over(contestant, x, heats);
    }

    /// <summary>Over seconds: 200 points from 0 to the longest heat's total trial cost.</summary>
    public static BestSoFarSeries BySeconds(ReportData data, string contestant)
    {
        var heats = data.Heats.Select(h => Curve(data.Of(contestant, h), t => t.CostSeconds)).ToArray();
        double longest = heats.SelectMany(c => c).Select(p => p.At).DefaultIfEmpty(0).Max();
        var x = Enumerable.Range(0, 201).Select(i => longest * i / 200).ToArray();
        return Over(contestant, x, heats);
    }

    /// <summary>(when the trial came back, best score so far), in the heat's order of trials.</summary>
    private static List<(double At, double? Best)> Curve(IReadOnlyList<Trial> trials, Func<Trial, double> cost)
    {
        var curve = new List<(double, double?)>();
        double at = 0;
        double? best = null;
        foreach (var trial in trials)
        {
            at += cost(trial);
            if (ReportData.Score(trial) is { } s && (best is null || s > best))
                best = s;
            curve.Add((at, best));
        }
        return curve;
    }

    private static BestSoFarSeries Over(string contestant, double[] x, List<(double At, double? Best)>[] heats)
    {
        int n = x.Length;
        var (mean, min, max) = (new double[n], new double[n], new double[n]);
        for (int i = 0; i < n; i++)
        {
            // Each heat's best among the trials back by x[i] (a step function); heats with none yet are left out.
            var values = heats
                .Select(c => c.LastOrDefault(p => p.At <= x[i] + 1e-9).Best)
                .Where(v => v is not null)
                .Select(v => v!.Value)
                .ToArray();
            (mean[i], min[i], max[i]) =
                values.Length == 0
                    ? (double.NaN, double.NaN, double.NaN)
                    : (values.Length == heats.Length ? values.Average() : double.NaN, values.Min(), values.Max());
        }
        return new BestSoFarSeries(contestant, x, mean, min, max);
    }
}
