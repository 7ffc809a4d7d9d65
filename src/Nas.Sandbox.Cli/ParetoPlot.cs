using System.Globalization;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using ScottPlot;

namespace Nas.Sandbox.Cli;

/// <summary>
/// A Pareto race's fronts as a PNG (ScottPlot): for each contestant its pooled front (over all heats) as points joined
/// by the staircase of the region it dominates, the second component on x and the first on y (with three components,
/// the projection on the first two); the reference point is marked. Legend: contestant and hypervolume.
/// </summary>
internal static class ParetoPlot
{
    public const int DefaultWidth = 900,
        DefaultHeight = 600;

    /// <summary>The plot as PNG bytes, for a caller that writes it together with the CSV (see <see cref="OutputPaths.WriteAll"/>).</summary>
    public static byte[] Png(
        RaceSummary summary,
        IReadOnlyList<ContestantFronts> fronts,
        int width = DefaultWidth,
        int height = DefaultHeight
    ) => Report.ReportCharts.Png(Build(summary, fronts), width, height);

    /// <summary>The plot alone, for a caller that wants its image elsewhere (the HTML report embeds it).</summary>
    public static Plot Build(RaceSummary summary, IReadOnlyList<ContestantFronts> fronts)
    {
        var objective = summary.Settings.Objective;
        var c = CultureInfo.InvariantCulture;
        var (yMetric, xMetric) = (objective.Components[0], objective.Components[1]);
        var plot = new Plot();
        foreach (var front in fronts)
        {
            var points = front
                .Pooled.Select(p =>
                    (X: xMetric.FromVector(p.Point.Objectives[1]), Y: yMetric.FromVector(p.Point.Objectives[0]))
                )
                .OrderBy(p => p.X)
                .ThenBy(p => p.Y)
                .ToArray();
            var row = summary.Contestants.First(r => r.Label == front.Contestant);
            string label = row.Hypervolume is { } hv
                ? $"{front.Contestant} (HV {hv.ToString("0.0000", c)}{(summary.Settings.Heats > 1 ? $" ± {(row.HypervolumeStd ?? 0).ToString("0.0000", c)}" : "")})"
                : front.Contestant;
            if (points.Length == 0)
                continue;
            var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            // The boundary of the dominated region: with a cost on x, each point's y holds until the next point's x
            // (across, then up or down); with accuracy on x, the next point's y already holds (up or down, then across).
            scatter.ConnectStyle = xMetric.IsCost ? ConnectStyle.StepHorizontal : ConnectStyle.StepVertical;
            scatter.MarkerSize = 7;
            scatter.LineWidth = 1.5f;
            scatter.LegendText = label;
        }
        if (summary.Reference is { } reference && reference.IsDefined)
        {
            var marker = plot.Add.Marker(reference.Raw[1], reference.Raw[0], MarkerShape.Cross, 12);
            marker.Color = Colors.Black;
            marker.LegendText = $"reference ({xMetric.Format(reference.Raw[1])}, {yMetric.Format(reference.Raw[0])})";
        }
        plot.XLabel(AxisLabel(xMetric));
        plot.YLabel(AxisLabel(yMetric));
        string projection =
            objective.Components.Count > 2
                ? $" (projection; also {string.Join(", ", objective.Components.Skip(2).Select(m => m.Name))})"
                : "";
        plot.Title($"Pareto fronts, pooled over {summary.Settings.Heats} heat(s): {objective.Text}{projection}");
        plot.ShowLegend(Alignment.LowerLeft);
        return plot;
    }

    private static string AxisLabel(ObjectiveMetric metric) =>
        (metric.IsCost ? $"{metric.Name} ({metric.Unit}, lower is better)" : $"{metric.Name} (higher is better)");
}
