using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;

namespace Nas.Sandbox.Cli;

/// <summary>
/// Writes a Pareto race's fronts next to its journal: <c>BASE.pareto.csv</c> (per heat and pooled) and
/// <c>BASE.pareto.png</c>, whole and together (both or neither), so the two never show different races.
/// </summary>
internal static class ParetoExport
{
    public static (string Csv, string Png) Save(string journalPath, RaceSummary summary)
    {
        string basePath = Path.Combine(
            Path.GetDirectoryName(Path.GetFullPath(journalPath))!,
            Path.GetFileNameWithoutExtension(journalPath)
        );
        string csv = basePath + ".pareto.csv",
            png = basePath + ".pareto.png";
        var fronts = ParetoFronts.Of(summary);
        OutputPaths.WriteAll(
            (csv, System.Text.Encoding.UTF8.GetBytes(ParetoFronts.Csv(summary.Settings.Objective, fronts))),
            (png, ParetoPlot.Png(summary, fronts))
        );
        return (Relative(csv), Relative(png));
    }

    private static string Relative(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
