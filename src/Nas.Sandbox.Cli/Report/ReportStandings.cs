using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli.Report;

/// <summary>
/// The standings table (header first) and each contestant's best architecture: the race's own ranking from its
/// race-finished summary when it finished; else, for a race cut short, the best score per heat so far (mean ± std).
/// </summary>
internal static class ReportStandings
{
    public static (IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<(string Contestant, string Arch)> Best) Of(
        ReportData data
    )
    {
        var c = CultureInfo.InvariantCulture;
        var rows = new List<IReadOnlyList<string>>();
        var best = new List<(string, string)>();
        // The race-finished line's summary, when the race finished: a mistyped one is blamed on that line.
        var f = data.Record.FinishedLine is { } finishedLine ? new JournalFields(data.Path, finishedLine) : null;
        var summary = f?.OptionalObject("summary");
        var finished = summary?["contestants"] is null or { Type: JTokenType.Null }
            ? null
            : f!
                .Array("contestants", summary)
                .Select(r => r as JObject ?? throw f.Wrong(summary, "contestants", "must hold objects"))
                .ToArray();
        if (f is not null && finished is not null)
        {
            bool pareto = finished.Any(r => r["hypervolume"] is JValue { Type: not JTokenType.Null });
            var header = new List<string> { "rank", "contestant" };
            if (pareto)
                header.Add("hypervolume");
            header.AddRange(["best val acc", "test acc of best", "evals", "fail", "seconds", "best architecture"]);
            rows.Add(header);
            foreach (var row in finished)
            {
                string label = f.RequiredString("contestant", row);
                string? arch = f.OptionalString("bestArchitecture", row);
                if (arch is not null)
                    try
                    {
                        data.Space.Space.Parse(arch);
                    }
                    catch (Exception e) when (e is NasException or ArchitectureFormatException or ArgumentException)
                    {
                        throw f.Wrong(
                            row,
                            "bestArchitecture",
                            $"is not an architecture of space '{data.Space.Space.Name}': {e.Message.TrimEnd('.')}"
                        );
                    }
                rows.Add([
                    f.OptionalInt("rank", row)?.ToString(c) ?? "-",
                    label,
                    .. pareto ? [MeanStd(f, row, "hypervolume")] : Array.Empty<string>(),
                    MeanStd(f, row, "bestValidationAccuracy"),
                    MeanStd(f, row, "testAccuracyOfBest"),
                    f.OptionalInt("evaluations", row)?.ToString(c) ?? "-",
                    f.OptionalInt("failures", row)?.ToString(c) ?? "-",
                    f.OptionalNumber("seconds", row)?.ToString("0.0", c) ?? "-",
                    arch ?? "-",
                ]);
                if (arch is not null)
                    best.Add((label, arch));
            }
            return (rows, best);
        }
        rows.Add(["contestant", "best objective (mean ± std over heats)", "evals", "fail", "best architecture"]);
        foreach (string contestant in data.Contestants)
        {
            var trials = data.Heats.SelectMany(h => data.Of(contestant, h)).ToArray();
            var perHeat = data
                .Heats.Select(h => data.Of(contestant, h).Select(ReportData.Score).Max())
                .Where(v => v is not null)
                .Select(v => v!.Value)
                .ToArray();
            var top = trials.Where(t => ReportData.Score(t) is not null).MaxBy(t => ReportData.Score(t));
            var (mean, std) = Core.Statistics.MeanStd(perHeat);
            rows.Add([
                contestant,
                mean is { } m ? $"{m.ToString("0.0000", c)} ± {(std ?? 0).ToString("0.0000", c)}" : "-",
                trials.Length.ToString(c),
                trials.Count(t => t.Status != TrialStatus.Ok).ToString(c),
                top?.Architecture.Key ?? "-",
            ]);
            if (top is not null)
                best.Add((contestant, top.Architecture.Key));
        }
        return (rows, best);
    }

    private static string MeanStd(JournalFields f, JObject row, string name)
    {
        var c = CultureInfo.InvariantCulture;
        return f.OptionalNumber(name, row) is { } mean
            ? f.OptionalNumber(name + "Std", row) is { } std
                ? $"{mean.ToString("0.0000", c)} ± {std.ToString("0.0000", c)}"
                : mean.ToString("0.0000", c)
            : "-";
    }
}
