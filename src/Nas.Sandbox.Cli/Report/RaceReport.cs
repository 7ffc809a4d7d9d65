using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Cli.Report;

/// <summary>
/// Writes a race's HTML report from its journal (<c>nas report</c>, and <c>nas race</c> at the end of a race):
/// standings, anytime statistics and tests, the best-so-far and trial charts, a Pareto race's fronts, the best cells
/// drawn as their space draws them, and the settings. Everything comes from the journal, so a report of a finished
/// race reads the same either way.
/// </summary>
internal static class RaceReport
{
    /// <summary>The default path: <c>JOURNAL.html</c> beside the journal (its extension replaced).</summary>
    public static string DefaultPath(string journal) => Path.ChangeExtension(Path.GetFullPath(journal), ".html");

    /// <summary>Width the winners are drawn at: an NB201 cell's full picture (at most 80 columns) fits.</summary>
    private const int DrawingWidth = 100;

    /// <summary>
    /// Writes the report of <paramref name="journal"/> to <paramref name="output"/> (default beside it); returns the
    /// path. <paramref name="host"/> makes the race's space (a plugin or script space needs the host that has it).
    /// </summary>
    public static string Write(string journal, SandboxHost host, string? output = null)
    {
        // Checked before the journal is read: never the journal itself (nor a folder, nor a path under a file).
        string path = OutputPaths.File(output ?? DefaultPath(journal), "--output", journal);
        var data = ReportData.Read(journal, host);
        var charts = new List<ReportChart>
        {
            new("Best so far vs evaluations", ReportCharts.BestSoFar(data, bySeconds: false)),
            new("Best so far vs seconds", ReportCharts.BestSoFar(data, bySeconds: true)),
            new("Every trial", ReportCharts.Trials(data)),
        };
        if (ObjectiveOf(data).IsPareto)
        {
            var summary = ParetoCommand.Rebuild(journal, null);
            charts.Add(
                new(
                    "Pareto fronts",
                    ReportCharts.Png(
                        ParetoPlot.Build(summary, ParetoFronts.Of(summary)),
                        ParetoPlot.DefaultWidth,
                        ParetoPlot.DefaultHeight
                    )
                )
            );
        }
        var (standings, best) = ReportStandings.Of(data);
        var winners = best.Select(b =>
                (b.Contestant, b.Arch, data.Space.Draw(data.Space.Space.Parse(b.Arch), DrawingWidth))
            )
            .ToArray();
        string html = ReportHtml.Render(
            $"Race report: {Path.GetFileName(journal)}",
            charts,
            standings,
            ReportStatistics.Of(data),
            winners,
            data.Record.Settings,
            CutShort(data),
            data.Space.Provider is Nb201SpaceProvider
                ? "Winning cells"
                : $"Winning architectures ({data.Space.Space.Name})"
        );
        OutputPaths.WriteAll((path, System.Text.Encoding.UTF8.GetBytes(html)));
        return path;
    }

    /// <summary>
    /// What a reader of a race that is still running, or was killed, must know first: the standings are the heats so
    /// far, not the race's own ranking (`nas race --resume` finishes it, and a report then reads as a finished one).
    /// </summary>
    private static string? CutShort(ReportData data)
    {
        if (data.Record.FinishedEvent is not null)
            return null;
        int heats = data.Heats.Count;
        return $"This race has not finished (still running, or stopped): the report shows the {data.Trials.Values.Sum(t => t.Count)} "
            + $"trial(s) of {heats} heat(s) journaled so far.";
    }

    private static Core.Racing.Objectives.RaceObjective ObjectiveOf(ReportData data)
    {
        var f = data.Record.StartedFields;
        return Core.Racing.Objectives.RaceObjective.Parse(
            f.OptionalString("objective", data.Record.Settings) ?? "accuracy",
            $"{data.Path}({data.Record.Started.LineNumber}): objective"
        );
    }
}
