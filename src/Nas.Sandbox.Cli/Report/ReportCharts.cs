using Nas.Sandbox.Abstractions;
using ScottPlot;

namespace Nas.Sandbox.Cli.Report;

/// <summary>The report's charts as PNG bytes (ScottPlot, as <see cref="ParetoPlot"/> draws): one colour per contestant.</summary>
internal static class ReportCharts
{
    public const int Width = 900,
        Height = 500;

    /// <summary>Best score so far per contestant: the mean over heats as a line, the min–max over heats as a band.</summary>
    public static byte[] BestSoFar(ReportData data, bool bySeconds)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (string contestant in data.Contestants)
        {
            var series = bySeconds
                ? BestSoFarSeries.BySeconds(data, contestant)
                : BestSoFarSeries.ByEvaluations(data, contestant);
            var color = palette.GetColor(index++);
            // Only points with a value: the band where any heat has a score, the mean where every heat has one.
            var banded = Enumerable.Range(0, series.X.Length).Where(i => !double.IsNaN(series.Min[i])).ToArray();
            var known = banded.Where(i => !double.IsNaN(series.Mean[i])).ToArray();
            if (banded.Length == 0)
                continue;
            if (data.Heats.Count > 1)
            {
                var band = plot.Add.FillY(
                    banded.Select(i => series.X[i]).ToArray(),
                    banded.Select(i => series.Min[i]).ToArray(),
                    banded.Select(i => series.Max[i]).ToArray()
                );
                band.FillColor = color.WithAlpha(0.2);
                band.LineWidth = 0;
            }
            if (known.Length == 0)
                continue;
            var line = plot.Add.ScatterLine(
                known.Select(i => series.X[i]).ToArray(),
                known.Select(i => series.Mean[i]).ToArray()
            );
            line.Color = color;
            line.LineWidth = 2;
            line.LegendText = contestant;
        }
        plot.XLabel(bySeconds ? "seconds (sum of the contestant's trial costs in the heat)" : "evaluations");
        plot.YLabel("best objective so far");
        plot.Title(
            data.Heats.Count > 1
                ? $"Best so far vs {(bySeconds ? "seconds" : "evaluations")}: mean over {data.Heats.Count} heats, band min–max"
                : $"Best so far vs {(bySeconds ? "seconds" : "evaluations")}"
        );
        plot.ShowLegend(Alignment.LowerRight);
        return Png(plot);
    }

    /// <summary>Every finished (ok) trial as a point: its objective against its evaluation number in its heat.</summary>
    public static byte[] Trials(ReportData data)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (string contestant in data.Contestants)
        {
            var points = data
                .Heats.SelectMany(h => data.Of(contestant, h).Select((t, i) => (X: i + 1.0, Y: ReportData.Score(t))))
                .Where(p => p.Y is not null)
                .ToArray();
            var color = palette.GetColor(index++);
            if (points.Length == 0)
                continue;
            var scatter = plot.Add.ScatterPoints(
                points.Select(p => p.X).ToArray(),
                points.Select(p => p.Y!.Value).ToArray()
            );
            scatter.Color = color.WithAlpha(0.6);
            scatter.MarkerSize = 5;
            scatter.LegendText = contestant;
        }
        plot.XLabel("evaluation number in its heat");
        plot.YLabel("objective");
        plot.Title($"Every finished trial, all {data.Heats.Count} heat(s)");
        plot.ShowLegend(Alignment.LowerRight);
        return Png(plot);
    }

    public static byte[] Png(Plot plot, int width = Width, int height = Height) =>
        plot.GetImageBytes(width, height, ImageFormat.Png);
}
