using System.Globalization;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Cli.Report;

/// <summary>
/// The anytime standings and paired Wilcoxon tests that <c>nas race</c> prints, recomputed from the journal by the same
/// <see cref="RaceStatistics"/> (fed the journal's trials as the race's events). They need the held-out test accuracy,
/// which only a table knows: null when the race had no table, or its table is gone.
/// </summary>
internal static class ReportStatistics
{
    private static readonly string[] TestsHeader =
    [
        "first",
        "second",
        "mean difference (first − second)",
        "p (two-sided)",
        "heats",
        "at 0.05",
    ];

    /// <summary>The anytime standings and the paired tests as tables (header row first); null without test accuracies.</summary>
    public static (IReadOnlyList<IReadOnlyList<string>> Anytime, IReadOnlyList<IReadOnlyList<string>> Tests)? Of(
        ReportData data
    )
    {
        var start = data.Record.StartedFields;
        var settings = data.Record.Settings;
        string? table = start.OptionalString("table", settings);
        if (table is null || !File.Exists(table))
            return null;
        TabularTable loaded;
        try
        {
            loaded = TabularTable.Load(
                table,
                TableColumns.For(table, start.OptionalString("tableColumns", settings), TablePercent(settings)),
                // Test accuracies are looked up by key: another space's keys need not be parsed here.
                start.OptionalString("space", settings)
                    is { } space
                        and not "nb201"
                    ? TableKeys.Verbatim(space)
                    : TableKeys.Nb201(OperationRegistry.CreateDefault().Names)
            );
        }
        catch (NasException)
        {
            return null; // a table over script operations: no test accuracies to compare by
        }
        if (!loaded.HasTest)
            return null;
        var statistics = new RaceStatistics();
        foreach (var ((contestant, heat), trials) in data.Trials)
        foreach (var trial in trials)
            statistics.OnEvent(new TrialFinished(contestant, heat, trial, null));
        var race = new RaceSettings
        {
            Contestants = [],
            Heats = Math.Max(1, data.Heats.Count),
            Budget = start.OptionalInt("budget", settings),
            BudgetSeconds = start.OptionalNumber("budgetSeconds", settings),
            BudgetEpochs = start.OptionalNumber("budgetEpochs", settings),
        };
        double? Test(string key) => loaded.Find(key)?.Test;
        var c = CultureInfo.InvariantCulture;
        string unit =
            race.Budget is not null ? "evaluations"
            : race.BudgetEpochs is not null ? "epochs"
            : "seconds";
        var anytime = new List<IReadOnlyList<string>>
        {
            new[] { "contestant", "share of budget", unit, "best val acc", "test acc of best", "heats" },
        };
        foreach (var p in statistics.Checkpoints(race, Test))
            anytime.Add([
                p.Contestant,
                (p.Fraction * 100).ToString("0", c) + " %",
                p.Mark.ToString("0.#", c),
                MeanStd(p.Validation, p.ValidationStd),
                MeanStd(p.Test, p.TestStd),
                p.Heats.ToString(c),
            ]);
        var tests = new List<IReadOnlyList<string>> { TestsHeader };
        foreach (var p in statistics.Comparisons(race, Test))
            tests.Add([
                p.First,
                p.Second,
                p.MeanDifference.ToString("+0.0000;-0.0000;0.0000", c),
                p.PValue.ToString("0.000", c),
                p.Heats.ToString(c),
                p.PValue < 0.05 ? "significant" : "not significant",
            ]);
        return (anytime, tests);

        string MeanStd(double? mean, double? std) =>
            mean is { } m ? $"{m.ToString("0.0000", c)} ± {(std ?? 0).ToString("0.0000", c)}" : "-";
    }

    private static bool? TablePercent(Newtonsoft.Json.Linq.JObject settings) =>
        settings["tablePercent"]?.Type == Newtonsoft.Json.Linq.JTokenType.Boolean
            ? (bool)settings["tablePercent"]!
            : null;
}
