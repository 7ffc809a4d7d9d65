using System.Globalization;
using System.Text;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Core.Racing.Tracking;

/// <summary>
/// A race's report at any moment: a Markdown summary (settings, leaderboard, each contestant's best cell drawn,
/// swaps and errors) and a CSV with one row per trial. Saved beside the journal, overwritten by later saves.
/// </summary>
public static class RaceReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static readonly string[] CsvColumns =
    [
        "contestant",
        "heat",
        "index",
        "architecture",
        "status",
        "validation_accuracy",
        "validation_loss",
        "training_loss",
        "params",
        "flops",
        "latency_ms",
        "latency_ms_b64",
        "objective",
        "cost_seconds",
        "cached",
        "message",
        "time",
    ];

    /// <summary>
    /// Writes <c>BASE.report.md</c> and <c>BASE.trials.csv</c>; returns their paths. <paramref name="statistics"/>: the race
    /// statistics text (<see cref="RaceStatistics.Describe"/>) for a finished race, as <c>nas race</c> prints it.
    /// <paramref name="draw"/>: how the race's space draws an architecture at a width (its provider's
    /// <c>Draw</c>); without it an NB201 race's cells are drawn as diagrams and other spaces' shown as keys.
    /// </summary>
    public static (string Markdown, string Csv) Save(
        string basePath,
        RaceSnapshot snapshot,
        IReadOnlyList<TrialLine> trials,
        string? journalPath,
        string? statistics = null,
        Func<Architecture, int, IReadOnlyList<string>>? draw = null
    )
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(basePath))!;
        Directory.CreateDirectory(folder);
        string markdown = basePath + ".report.md",
            csv = basePath + ".trials.csv";
        WriteAtomically(markdown, Markdown(snapshot, journalPath, statistics, draw));
        WriteAtomically(csv, Csv(trials));
        return (markdown, csv);
    }

    /// <summary>Width the best architectures are drawn at: an NB201 cell's full picture (at most 80 columns) fits.</summary>
    private const int DrawingWidth = 100;

    public static string Markdown(
        RaceSnapshot s,
        string? journalPath,
        string? statistics = null,
        Func<Architecture, int, IReadOnlyList<string>>? draw = null
    )
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant, $"# Race report: {string.Join(" vs ", s.Contestants.Select(c => c.Label))}")
            .AppendLine();
        md.AppendLine(
            Invariant,
            $"- saved {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", Invariant)} UTC; the race is {s.Phase.ToString().ToLowerInvariant()}, "
                + $"heat {Math.Min(s.Heat + 1, Math.Max(1, s.Heats))} of {s.Heats}, {s.Progress * 100:0}% done "
                + $"({s.EvaluationsDone}{(s.EvaluationsPlanned is { } p ? $" of {p}" : "")} evaluations), {s.ElapsedSeconds:0} s elapsed"
        );
        if (s.Settings is { } settings)
        {
            string budget = string.Join(
                " and ",
                new[]
                {
                    settings.Budget is { } n ? $"{n} evaluations" : null,
                    settings.BudgetSeconds is { } sec ? $"{sec.ToString(Invariant)} s" : null,
                }.Where(b => b is not null)
            );
            md.AppendLine(
                Invariant,
                $"- space `{settings.Space}`, estimator `{s.Estimator}` ({s.Fidelity}), dataset `{settings.Dataset}`, "
                    + $"budget {budget} per contestant per heat, seed {settings.Seed}"
            );
        }
        if (s.Settings is { Objective: { IsAccuracy: false } objective })
            md.AppendLine(
                $"- objective: `{objective.Text}`"
                    + (
                        objective.IsPareto
                            ? " (Pareto; the final standings rank by hypervolume)"
                            : " (maximised; params and flops in millions, latency in ms)"
                    )
            );
        if (journalPath is not null)
            md.AppendLine(Invariant, $"- journal: `{journalPath}`");
        if (s.FailureMessage is not null)
            md.AppendLine(Invariant, $"- **the race stopped:** {s.FailureMessage}");
        md.AppendLine().AppendLine("## Leaderboard").AppendLine();
        md.AppendLine(
            "| rank | contestant | source | version | best (this heat) | mean ± std (finished heats) | evaluations | failures | seconds | rating |"
        );
        md.AppendLine("|---:|---|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var c in s.Contestants)
            md.AppendLine(
                $"| {c.Rank} | {c.Label} | {c.Source} | {c.Version} | {Accuracy(c.Best)} | "
                    + (c.MeanBest is { } m ? $"{Accuracy(m)} ± {Accuracy(c.StdBest)} ({c.HeatsFinished})" : "-")
                    + $" | {c.Used}{(c.Budget is { } b ? $"/{b}" : "")} | {c.Failures} | {c.Seconds.ToString("0.0", Invariant)} | "
                    + $"{(c.Rating is { } r ? r.ToString("0", Invariant) : "-")} |"
            );
        if (s.Summary is { } summary && !summary.Settings.Objective.IsAccuracy)
            FinalStandings(md, summary);
        if (statistics is not null)
            md.AppendLine()
                .AppendLine("## Statistics over heats")
                .AppendLine()
                .AppendLine("```text")
                .Append(statistics.TrimEnd())
                .AppendLine()
                .AppendLine("```");
        md.AppendLine().AppendLine("## Best architectures (current heat)").AppendLine();
        foreach (var c in s.Contestants)
        {
            md.AppendLine(Invariant, $"### {c.Label}: {Accuracy(c.Best)}").AppendLine();
            if (c.BestTrial is not { } t)
            {
                md.AppendLine("No successful evaluation yet.").AppendLine();
                continue;
            }
            md.AppendLine(
                    Invariant,
                    $"`{t.Architecture.Key}`, evaluation {t.Index + 1}, {Count(t.Metrics.Parameters)} parameters, "
                        + $"{Count(t.Metrics.Flops)} FLOPs"
                )
                .AppendLine();
            if (Picture(t.Architecture, s.Settings?.Space, draw) is { } picture)
            {
                md.AppendLine("```text");
                foreach (string line in picture)
                    md.AppendLine(line.TrimEnd());
                md.AppendLine("```").AppendLine();
            }
        }
        var swaps = s.Contestants.SelectMany(c => c.Swaps.Select(w => $"- {c.Label}: {w}")).ToArray();
        if (swaps.Length > 0)
            md.AppendLine("## Swaps").AppendLine().AppendLine(string.Join(Environment.NewLine, swaps)).AppendLine();
        if (s.Errors.Count > 0)
        {
            md.AppendLine("## Build errors (the old versions kept racing)").AppendLine().AppendLine("```text");
            foreach (var e in s.Errors)
            foreach (string line in e.Lines)
                md.AppendLine(line);
            md.AppendLine("```").AppendLine();
        }
        var problems = s.Notices.Where(n => n.Kind is NoticeKind.Error or NoticeKind.Warning).ToArray();
        if (problems.Length > 0)
        {
            md.AppendLine("## Failures and warnings (latest)").AppendLine();
            foreach (var n in problems)
                md.AppendLine(Invariant, $"- {n.Time.ToString("HH:mm:ss", Invariant)} {n.Text}");
        }
        return md.ToString();
    }

    /// <summary>
    /// The architecture's picture: the space's own drawing when the caller has it (its key when the drawing fails), or
    /// NB201's cell diagram for an NB201 race; null (the key above is all) otherwise.
    /// </summary>
    private static IReadOnlyList<string>? Picture(
        Architecture architecture,
        string? space,
        Func<Architecture, int, IReadOnlyList<string>>? draw
    )
    {
        if (draw is not null)
            try
            {
                return draw(architecture, DrawingWidth);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return null;
            }
        return architecture.Choices.Count == Nb201Space.EdgeCount && space is null or "nb201"
            ? Nb201CellDiagram.Draw(architecture)
            : null;
    }

    /// <summary>
    /// The finished race ranked by its objective: by hypervolume against the stated reference point (a Pareto race), or
    /// by the best objective (a scalarised one); mean ± std over heats.
    /// </summary>
    private static void FinalStandings(StringBuilder md, RaceSummary summary)
    {
        string F(double? v) => v?.ToString("0.0000", Invariant) ?? "-";
        md.AppendLine()
            .AppendLine(Invariant, $"## Final standings by objective: `{summary.Settings.Objective.Text}`")
            .AppendLine();
        if (summary.Reference is { } reference)
        {
            md.AppendLine(
                    $"Reference point: {reference}. Hypervolume: the share of the box between the reference point and the ideal "
                        + "point (accuracy 1, zero cost) that a contestant's front dominates in a heat; mean ± std over heats."
                )
                .AppendLine();
            md.AppendLine("| rank | contestant | hypervolume | best val acc | evaluations |");
            md.AppendLine("|---:|---|---:|---:|---:|");
            foreach (var c in summary.Contestants)
                md.AppendLine(
                    Invariant,
                    $"| {c.Rank} | {c.Label} | {F(c.Hypervolume)} ± {F(c.HypervolumeStd)} | {F(c.BestValidationAccuracy)} | {c.Evaluations} |"
                );
        }
        else
        {
            md.AppendLine("| rank | contestant | best objective | best val acc | evaluations |");
            md.AppendLine("|---:|---|---:|---:|---:|");
            foreach (var c in summary.Contestants)
                md.AppendLine(
                    Invariant,
                    $"| {c.Rank} | {c.Label} | {F(c.BestObjective)} ± {F(c.BestObjectiveStd)} | {F(c.BestValidationAccuracy)} | {c.Evaluations} |"
                );
        }
    }

    public static string Csv(IReadOnlyList<TrialLine> trials)
    {
        var rows = new List<string[]>();
        foreach (var line in trials)
        {
            var t = line.Trial;
            var m = t.Metrics;
            string[] cells =
            [
                line.Contestant,
                line.Heat.ToString(Invariant),
                t.Index.ToString(Invariant),
                t.Architecture.Key,
                JournalFormat.StatusName(t.Status),
                Number(m.ValidationAccuracy),
                Number(m.ValidationLoss),
                Number(m.TrainingLoss),
                m.Parameters?.ToString(Invariant) ?? "",
                m.Flops?.ToString(Invariant) ?? "",
                Number(m.LatencyMs),
                Number(m.LatencyMsBatch64),
                Number(t.Objective),
                t.CostSeconds.ToString("0.####", Invariant),
                t.FromCache ? "true" : "false",
                t.Message ?? "",
                line.Time.ToString("O", Invariant),
            ];
            rows.Add(cells);
        }
        return CsvFormat.Text(CsvColumns, rows);
    }

    private static string Number(double? value) => value?.ToString("R", Invariant) ?? "";

    private static string Accuracy(double? value) => value?.ToString("0.0000", Invariant) ?? "-";

    private static string Count(long? value) => value?.ToString("N0", Invariant) ?? "-";

    private static void WriteAtomically(string path, string content)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
