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
    public static string? Describe(ReportData data)
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
                OperationRegistry.CreateDefault().Names
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
        return statistics.Describe(race, key => loaded.Find(key)?.Test);
    }

    private static bool? TablePercent(Newtonsoft.Json.Linq.JObject settings) =>
        settings["tablePercent"]?.Type == Newtonsoft.Json.Linq.JTokenType.Boolean
            ? (bool)settings["tablePercent"]!
            : null;
}
