using System.CommandLine;
using System.Globalization;
using Nas.Sandbox.Core;
using Nas.Sandbox.Abstractions;
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
        var journal = new Argument<string>("JOURNAL") { Description = "a race journal (runs/race-*.jsonl) of a Pareto race" };
        var reference = new Option<string?>("--reference") { Description = "another reference point, NAME=VALUE,... in the metrics' units [the race's]" };
        var output = new Option<string?>("--output") { Description = "write BASE.pareto.csv and BASE.pareto.png [beside the journal]", HelpName = "BASE" };
        var width = new Option<int>("--width") { Description = "plot width in pixels", DefaultValueFactory = _ => ParetoPlot.DefaultWidth };
        var height = new Option<int>("--height") { Description = "plot height in pixels", DefaultValueFactory = _ => ParetoPlot.DefaultHeight };
        var verbose = CommonOptions.Verbose();
        var command = new Command("pareto", "Pareto fronts and hypervolumes of a race from its journal; writes the CSV and PNG.")
        {
            journal, reference, output, width, height, verbose,
        };
        command.SetAction((result, _) => CommonOptions.Guard(result.GetValue(verbose), () =>
        {
            string path = result.GetValue(journal)!;
            if (result.GetValue(width) is < 100 or > 10_000 || result.GetValue(height) is < 100 or > 10_000)
                throw new NasException("--width and --height must be between 100 and 10000 pixels.");
            var summary = Rebuild(path, result.GetValue(reference));
            Print(summary);
            var fronts = ParetoFronts.Of(summary);
            string basePath = result.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path));
            string csv = basePath + ".pareto.csv", png = basePath + ".pareto.png";
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(csv))!);
            File.WriteAllText(csv, ParetoFronts.Csv(summary.Settings.Objective, fronts));
            ParetoPlot.Save(png, summary, fronts, result.GetValue(width), result.GetValue(height));
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
        Console.Out.WriteLine($"{"rank",4}  {"contestant".PadRight(width)}  {"hypervolume",-18} {"front",5} {"best val acc",-12} {"evals",5} {"fail",4}");
        foreach (var r in summary.Contestants)
        {
            string volume = r.Hypervolume is { } h ? $"{h.ToString("0.0000", c)} ± {(r.HypervolumeStd ?? 0).ToString("0.0000", c)}" : "-";
            double front = summary.Heats.SelectMany(h => h).Where(s => s.Contestant == r.Label).Select(s => (double)(s.Front?.Count ?? 0)).DefaultIfEmpty(0).Average();
            Console.Out.WriteLine($"{r.Rank,4}  {r.Label.PadRight(width)}  {volume,-18} {front.ToString("0.#", c),5} {r.BestValidationAccuracy?.ToString("0.0000", c) ?? "-",-12} {r.Evaluations,5} {r.Failures,4}");
        }
    }

    /// <summary>The race's summary as far as its journal goes, with fronts per heat and hypervolumes.</summary>
    public static RaceSummary Rebuild(string path, string? referenceText)
    {
        var lines = JournalReader.Read(path).Lines;
        var started = lines.FirstOrDefault(l => l.Type == JournalEventTypes.RaceStarted) ?? throw new NasException($"{path}: no race-started line; is it a race journal?");
        var start = new JournalFields(path, started);
        var settingsJson = start.Object("settings");
        var objective = RaceObjective.Parse(start.OptionalString("objective", settingsJson) ?? "accuracy", $"{path}({started.LineNumber}): objective");
        if (!objective.IsPareto) throw new NasException($"{path}: the race's objective is '{objective.Text}', not a Pareto front (--objective pareto:...).");
        var given = referenceText is not null ? ParetoReference.Parse(referenceText, objective)
            : start.OptionalObject("reference", settingsJson) is { } r
                ? r.Properties().Where(p => p.Name != "source").ToDictionary(p => p.Name, p => start.OptionalNumber(p.Name, r) ?? throw start.Wrong(r, p.Name, "must be a number"))
                : null;
        // Heats are numbered from 0; a journal naming a heat beyond the race's is damaged (and would size the tables below).
        int maxHeats = start.OptionalInt("heats", settingsJson, min: 1) ?? 1_000_000;

        // Contestants in order of appearance; trials per (contestant, heat), dropping a restarted heat's and a removed contestant's.
        var labels = new List<string>();
        var trials = new Dictionary<(string Contestant, int Heat), List<(int Index, string Arch, double[] Vector, double? Accuracy, bool Ok)>>();
        foreach (var line in lines)
        {
            var f = new JournalFields(path, line);
            switch (line.Type)
            {
                case JournalEventTypes.RaceStarted:
                    foreach (var c in f.Array("contestants"))
                        labels.Add(f.String("contestant", c as JObject ?? throw f.Wrong(null, "contestants", "must hold objects")));
                    break;
                case JournalEventTypes.ContestantAdded:
                    labels.Add(f.String("contestant", f.Object("contestant")));
                    break;
                case JournalEventTypes.ContestantRemoved:
                    string removed = f.String("contestant");
                    labels.Remove(removed);
                    foreach (var key in trials.Keys.Where(k => k.Contestant == removed).ToArray()) trials.Remove(key);
                    break;
                case JournalEventTypes.HeatRestarted:
                    int restarted = f.Int("heat", min: 0, max: maxHeats - 1);
                    foreach (var key in trials.Keys.Where(k => k.Heat == restarted).ToArray()) trials.Remove(key);
                    break;
                case JournalEventTypes.Trial:
                    var key2 = (f.String("contestant"), f.Int("heat", min: 0, max: maxHeats - 1));
                    if (!trials.TryGetValue(key2, out var list)) trials[key2] = list = [];
                    bool ok = f.OptionalString("status") == "ok" && f.Event["objectives"] is JArray;
                    var vector = ok ? f.Numbers("objectives") : [];
                    if (ok && vector.Length != objective.Components.Count)
                        throw f.Wrong(null, "objectives", $"has {vector.Length} values, but the objective {objective.Text} has {objective.Components.Count}");
                    list.Add((f.Int("index", min: 0), f.String("arch"), vector,
                        f.OptionalObject("metrics") is { } metrics ? f.OptionalNumber("validationAccuracy", metrics) : null, ok));
                    break;
            }
        }
        int heats = trials.Keys.Select(k => k.Heat + 1).DefaultIfEmpty(0).Max();
        var standings = Enumerable.Range(0, heats).Select(heat => (IReadOnlyList<HeatStanding>)labels.Select(label =>
        {
            var mine = trials.GetValueOrDefault((label, heat)) ?? [];
            var points = mine.Where(t => t.Ok).DistinctBy(t => t.Arch).Select(t => new ParetoPoint(t.Index, t.Arch, t.Vector)).ToArray();
            var front = ParetoRanking.NonDominated(points.Select(p => p.Objectives).ToArray()).Select(i => points[i]).ToArray();
            // MaxBy throws on an empty sequence of tuples: a heat where the contestant had no ok trial (or was not yet added).
            var oks = mine.Where(t => t.Ok).ToList();
            var pick = oks.Count > 0 ? oks.MaxBy(t => t.Vector[0]) : default;
            return new HeatStanding(label, mine.Count, mine.Count(t => !t.Ok), 0, oks.Max(t => t.Accuracy),
                oks.Count > 0 ? pick.Arch : null, oks.Count > 0 ? pick.Vector[0] : null, front);
        }).ToArray()).ToArray();

        // The reference: given, else the table's worst (when the table is still there), else the worst seen in the journal.
        string? table = start.OptionalString("table", settingsJson);
        IReadOnlyDictionary<string, double>? known = null;
        if (table is not null && File.Exists(table))
        {
            try { known = TableObjective.WorstCosts(objective, TabularTable.Load(table, TableColumns.For(table, null, null), OperationRegistry.CreateDefault().Names)); }
            catch (NasException) { known = null; } // a table over script operations: fall back to the worst seen
        }
        var worstSeen = objective.Components.Select((m, i) => (m, i)).Where(p => p.m.IsCost).ToDictionary(p => p.m.Name,
            p => trials.Values.SelectMany(t => t).Where(t => t.Ok).Select(t => p.m.FromVector(t.Vector[p.i])).DefaultIfEmpty(double.NaN).Max());
        var reference = ParetoReference.For(objective, given, m => known is not null && known.TryGetValue(m.Name, out double k) ? k : worstSeen[m.Name],
            known is not null ? $"worst in table {Path.GetFileName(table)}" : "worst seen in the race");

        var settings = new RaceSettings
        {
            Contestants = labels.Select(ContestantSpec.Parse).ToArray(), Heats = Math.Max(1, heats), Objective = objective,
            Budget = start.OptionalInt("budget", settingsJson), Seed = start.OptionalLong("seed", settingsJson) ?? 0,
        };
        var infos = labels.Select(l => new ContestantInfo(l, l, "journal", path, "", new Dictionary<string, string>())).ToArray();
        return RaceSummary.From(settings, infos, standings, 0, null, reference);
    }
}
