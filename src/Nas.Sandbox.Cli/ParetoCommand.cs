using System.CommandLine;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas pareto JOURNAL</c>: the Pareto fronts of a race from its journal, finished or not: hypervolume per contestant
/// (mean ± std over heats) against the race's reference point or another (<c>--reference</c>), and the CSV and PNG a
/// Pareto race writes (<c>--output BASE</c> for other paths). The fronts are rebuilt from the journal's trial lines
/// (a restarted heat's discarded trials and removed contestants excluded).
/// </summary>
internal static class ParetoCommand
{
    public static Command Create()
    {
        var journal = new Argument<string>("JOURNAL")
        {
            Description = "a race journal (runs/race-*.jsonl) of a Pareto race",
        };
        var reference = new Option<string?>("--reference")
        {
            Description = "another reference point, NAME=VALUE,... in the metrics' units [the race's]",
        };
        var output = new Option<string?>("--output")
        {
            Description = "write BASE.pareto.csv and BASE.pareto.png [beside the journal]",
            HelpName = "BASE",
        };
        var width = new Option<int>("--width")
        {
            Description = "plot width in pixels",
            DefaultValueFactory = _ => ParetoPlot.DefaultWidth,
        };
        var height = new Option<int>("--height")
        {
            Description = "plot height in pixels",
            DefaultValueFactory = _ => ParetoPlot.DefaultHeight,
        };
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "pareto",
            "Pareto fronts and hypervolumes of a race from its journal; writes the CSV and PNG."
        )
        {
            journal,
            reference,
            output,
            width,
            height,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    string path = result.GetValue(journal)!;
                    if (result.GetValue(width) is < 100 or > 10_000 || result.GetValue(height) is < 100 or > 10_000)
                        throw new NasException("--width and --height must be between 100 and 10000 pixels.");
                    string basePath = result.GetValue(output)
                        ?? Path.Combine(
                            Path.GetDirectoryName(Path.GetFullPath(path))!,
                            Path.GetFileNameWithoutExtension(path)
                        );
                    if (result.GetValue(output) is { } given && string.IsNullOrWhiteSpace(given))
                        throw new NasException("--output: the path is empty.");
                    // A folder (existing, or written with a trailing slash) gets the journal's name, not hidden ".pareto.*".
                    if (
                        basePath.EndsWith(Path.DirectorySeparatorChar)
                        || basePath.EndsWith(Path.AltDirectorySeparatorChar)
                        || Directory.Exists(basePath)
                    )
                        basePath = Path.Combine(basePath, Path.GetFileNameWithoutExtension(path));
                    // Both paths checked before anything is read or written; both files then written whole, or neither.
                    string csv = OutputPaths.File(basePath + ".pareto.csv", "--output", path),
                        png = OutputPaths.File(basePath + ".pareto.png", "--output", path);
                    var summary = Rebuild(path, result.GetValue(reference));
                    if (summary.Contestants.Count == 0)
                        throw new NasException(
                            $"{path}(1): race-started lists no contestants, so there is no Pareto front to show."
                        );
                    if (!summary.Heats.SelectMany(h => h).Any(s => s.Front is { Count: > 0 }))
                        throw new NasException(
                            $"{path}: the journal holds no finished trial, so there is no Pareto front to show."
                        );
                    Print(summary);
                    var fronts = ParetoFronts.Of(summary);
                    OutputPaths.WriteAll(
                        (csv, System.Text.Encoding.UTF8.GetBytes(ParetoFronts.Csv(summary.Settings.Objective, fronts))),
                        (png, ParetoPlot.Png(summary, fronts, result.GetValue(width), result.GetValue(height)))
                    );
                    Console.Out.WriteLine($"pareto fronts: {csv} and {png}");
                    return Task.FromResult(0);
                }));
        return command;
    }

    private static void Print(RaceSummary summary)
    {
        var c = CultureInfo.InvariantCulture;
        int width = Math.Max(10, summary.Contestants.Max(r => r.Label.Length));
        Console.Out.WriteLine($"objective: {summary.Settings.Objective.Text}, {summary.Heats.Count} heat(s)");
        Console.Out.WriteLine($"reference point: {summary.Reference}");
        Console.Out.WriteLine(
            $"{"rank", 4}  {"contestant".PadRight(width)}  {"hypervolume", -18} {"front", 5} {"best val acc", -12} {"evals", 5} {"fail", 4}"
        );
        foreach (var r in summary.Contestants)
        {
            string volume = r.Hypervolume is { } h
                ? $"{h.ToString("0.0000", c)} ± {(r.HypervolumeStd ?? 0).ToString("0.0000", c)}"
                : "-";
            double front = summary
                .Heats.SelectMany(h => h)
                .Where(s => s.Contestant == r.Label)
                .Select(s => (double)(s.Front?.Count ?? 0))
                .DefaultIfEmpty(0)
                .Average();
            Console.Out.WriteLine(
                $"{r.Rank, 4}  {r.Label.PadRight(width)}  {volume, -18} {front.ToString("0.#", c), 5} {r.BestValidationAccuracy?.ToString("0.0000", c) ?? "-", -12} {r.Evaluations, 5} {r.Failures, 4}"
            );
        }
    }

    /// <summary>The race's summary as far as its journal goes, with fronts per heat and hypervolumes.</summary>
    public static RaceSummary Rebuild(string path, string? referenceText)
    {
        RaceObjective? objective = null;
        // The journal read as a race's record (race-started first, restarted heats and removed contestants dropped),
        // keeping each trial's objective vector.
        var record = RaceRecord.Read(
            path,
            f =>
            {
                if (f.Line.Type != JournalEventTypes.Trial)
                    return null;
                bool ok = f.OptionalString("status") == "ok" && f.Event["objectives"] is JArray;
                var vector = ok ? f.Numbers("objectives") : [];
                if (ok && vector.Length != objective!.Components.Count)
                    throw f.Wrong(
                        null,
                        "objectives",
                        $"has {vector.Length} values, but the objective {objective.Text} has {objective.Components.Count}"
                    );
                return new ParetoTrial(
                    f.RequiredInt("index", min: 0),
                    f.RequiredString("arch"),
                    vector,
                    f.OptionalObject("metrics") is { } metrics ? f.OptionalNumber("validationAccuracy", metrics) : null,
                    ok
                );
            },
            started => objective = ObjectiveOf(path, started)
        );
        var start = record.StartedFields;
        var settingsJson = record.Settings;
        var given =
            referenceText is not null ? ParetoReference.Parse(referenceText, objective!)
            : start.OptionalObject("reference", settingsJson) is { } r
                ? ParetoReference.Check(
                    r.Properties()
                        .Where(p => p.Name != "source")
                        .Select(p =>
                            KeyValuePair.Create(
                                p.Name,
                                start.OptionalNumber(p.Name, r) ?? throw start.Wrong(r, p.Name, "must be a number")
                            )
                        ),
                    objective!,
                    $"{start.Where}: race-started event: field \"settings.reference\""
                )
            : null;
        var labels = record.Contestants;
        var trials = record.AllEvents.ToDictionary(e => (Contestant: e.Key.Contestant, e.Key.Heat), e => e.Value);
        int heats = trials.Keys.Select(k => k.Heat + 1).DefaultIfEmpty(0).Max();
        var standings = Enumerable
            .Range(0, heats)
            .Select(heat =>
                (IReadOnlyList<HeatStanding>)
                    labels
                        .Select(label =>
                        {
                            var mine = trials.GetValueOrDefault((label, heat)) ?? [];
                            var points = mine.Where(t => t.Ok)
                                .DistinctBy(t => t.Arch)
                                .Select(t => new ParetoPoint(t.Index, t.Arch, t.Vector))
                                .ToArray();
                            var front = ParetoRanking
                                .NonDominated(points.Select(p => p.Objectives).ToArray())
                                .Select(i => points[i])
                                .ToArray();
                            // No pick in a heat where the contestant had no ok trial (or was not yet added).
                            var oks = mine.Where(t => t.Ok).ToList();
                            var pick = oks.MaxBy(t => t.Vector[0]);
                            return new HeatStanding(
                                label,
                                mine.Count,
                                mine.Count(t => !t.Ok),
                                0,
                                oks.Max(t => t.Accuracy),
                                pick?.Arch,
                                pick?.Vector[0],
                                front
                            );
                        })
                        .ToArray()
            )
            .ToArray();

        // The reference: given, else the table's worst (when the table is still there), else the worst seen in the journal.
        string? table = start.OptionalString("table", settingsJson);
        IReadOnlyDictionary<string, double>? known = null;
        if (table is not null && File.Exists(table))
        {
            try
            {
                known = TableObjective.WorstCosts(
                    objective!,
                    TabularTable.Load(
                        table,
                        TableColumns.For(table, null, null),
                        // Only the table's worst costs are read: another space's keys need not be parsed here.
                        start.OptionalString("space", settingsJson)
                            is { } space
                                and not "nb201"
                            ? TableKeys.Verbatim(space)
                            : TableKeys.Nb201(OperationRegistry.CreateDefault().Names)
                    )
                );
            }
            catch (NasException)
            {
                known = null;
            } // a table over script operations: fall back to the worst seen
        }
        var worstSeen = objective!
            .Components.Select((m, i) => (m, i))
            .Where(p => p.m.IsCost)
            .ToDictionary(
                p => p.m.Name,
                p =>
                    trials
                        .Values.SelectMany(t => t)
                        .Where(t => t.Ok)
                        .Select(t => p.m.FromVector(t.Vector[p.i]))
                        .DefaultIfEmpty(double.NaN)
                        .Max()
            );
        var reference = ParetoReference.For(
            objective!,
            given,
            m => known is not null && known.TryGetValue(m.Name, out double k) ? k : worstSeen[m.Name],
            known is not null ? $"worst in table {Path.GetFileName(table)}" : "worst seen in the race"
        );

        var settings = new RaceSettings
        {
            Contestants = labels.Select(l => ContestantSpec.Parse(l, path)).ToArray(),
            Heats = Math.Max(1, heats),
            Objective = objective!,
            Budget = start.OptionalInt("budget", settingsJson),
            Seed = start.OptionalLong("seed", settingsJson) ?? 0,
        };
        var infos = labels
            .Select(l => new ContestantInfo(l, l, "journal", path, "", new Dictionary<string, string>()))
            .ToArray();
        return RaceSummary.From(settings, infos, standings, 0, null, reference);
    }

    /// <summary>The race's objective, from its race-started line: it must be a Pareto front.</summary>
    private static RaceObjective ObjectiveOf(string path, JournalLine started)
    {
        var start = new JournalFields(path, started);
        var objective = RaceObjective.Parse(
            start.OptionalString("objective", start.RequiredObject("settings")) ?? "accuracy",
            $"{path}({started.LineNumber}): objective"
        );
        if (!objective.IsPareto)
            throw new NasException(
                $"{path}: the race's objective is '{objective.Text}', not a Pareto front (--objective pareto:...)."
            );
        return objective;
    }

    private sealed record ParetoTrial(int Index, string Arch, double[] Vector, double? Accuracy, bool Ok);
}
