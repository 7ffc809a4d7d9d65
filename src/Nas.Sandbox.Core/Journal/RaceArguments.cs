using System.Globalization;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// The <c>nas race</c> options that define a journaled race, rebuilt from its <c>race-started</c> line: to resume it
/// (<c>--resume</c>) or to run it again elsewhere (a shared race in a pack). Contestants are left to the caller, who
/// knows how they should be named; so are the estimator and table, which a pack rewrites.
/// </summary>
public static class RaceArguments
{
    /// <param name="estimator">The <c>--estimator</c> value for the recorded one.</param>
    /// <param name="table">The <c>--table</c> options for the recorded table path (none to leave it out).</param>
    /// <param name="where">The race-started line, for errors (<c>FILE(LINE)</c>).</param>
    public static List<string> Settings(
        JObject started,
        string where,
        Func<string, string> estimator,
        Func<string, IEnumerable<string>> table
    )
    {
        try
        {
            return Read(started, estimator, table);
        }
        catch (Exception e)
            when (e is ArgumentException or InvalidCastException or FormatException or NullReferenceException)
        {
            throw new NasException($"{where}: race-started has a mistyped setting: {e.Message}");
        }
    }

    private static List<string> Read(
        JObject started,
        Func<string, string> estimator,
        Func<string, IEnumerable<string>> table
    )
    {
        var settings = started["settings"] as JObject ?? throw new FormatException("no settings object");
        var arguments = new List<string>();
        string space = (string?)settings["space"] ?? "nb201";
        if (space != "nb201")
            arguments.AddRange(["--space", space]);
        if (started["operations"] is JArray operations)
        {
            var names = operations.Select(o => (string)o!).ToArray();
            if (!names.SequenceEqual(Spaces.Nb201Space.DefaultOperations))
                arguments.AddRange(["--operations", string.Join(",", names)]);
        }
        string recordedEstimator = (string?)settings["estimator"] ?? "train";
        bool tabular = recordedEstimator == "tabular";
        arguments.AddRange(["--estimator", estimator(recordedEstimator)]);
        if ((string?)settings["dataset"] is { } dataset && dataset != "fashion-mnist")
            arguments.AddRange(["--dataset", dataset]);
        if ((string?)settings["table"] is { } path)
        {
            arguments.AddRange(table(path));
            // How the table was read goes with it, also when the table is left out (the shipped one, read the same way).
            if ((string?)settings["tableColumns"] is { } columns)
                arguments.AddRange(["--table-columns", columns]);
            if ((bool?)settings["tablePercent"] is { } percent)
                arguments.AddRange(["--table-percent", percent ? "true" : "false"]);
            // A journal from before per-seed lookups raced on the seed-mean.
            arguments.AddRange(["--table-seeds", (string?)settings["tableSeeds"] ?? "mean"]);
        }
        void Number(JToken? token, string option)
        {
            if (token is JValue { Type: JTokenType.Integer or JTokenType.Float } value)
                arguments.AddRange([option, Convert.ToString(value.Value, CultureInfo.InvariantCulture)!]);
        }
        Number(settings["budget"], "--budget");
        Number(settings["budgetSeconds"], "--budget-seconds");
        Number(settings["budgetEpochs"], "--budget-epochs");
        bool ladder = settings["fidelities"] is JArray { Count: > 0 };
        if (ladder)
            arguments.AddRange(["--fidelities", string.Join(',', settings["fidelities"]!.Select(r => (int)r))]);
        if ((string?)settings["earlyStop"] is { } earlyStop)
            arguments.AddRange(["--early-stop", earlyStop]);
        Number(settings["heats"], "--heats");
        // A cluster training race's workers are the slots it started with, which the cluster decided unless --workers
        // capped them: only a given cap (workersCap) is given again, so the race takes the cluster's slots as they are now.
        // A journal from before workersCap cannot tell a cap from the cluster's count: the cluster decides. A table's
        // workers, on a cluster or not, and local worker processes are what --workers said.
        bool clusterSlots = (string?)settings["cluster"] is not null && !tabular;
        if (clusterSlots)
            Number(settings["workersCap"], "--workers");
        else if ((int?)settings["workers"] is > 1)
            Number(settings["workers"], "--workers");
        if ((string?)settings["cluster"] is { } cluster)
            arguments.AddRange(["--cluster", cluster]);
        Number(settings["seed"], "--seed");
        Number(settings["callTimeout"], "--call-timeout");
        Number(settings["contestantMemory"], "--contestant-memory");
        if (settings["fidelity"] is JObject fidelity)
            foreach (
                var (field, option) in new[]
                {
                    ("epochs", "--epochs"),
                    ("trainingImages", "--train-images"),
                    ("channels", "--channels"),
                    ("cellsPerStage", "--cells"),
                    ("batchSize", "--batch-size"),
                }
            )
                // With a ladder the recorded epochs are its top rung, which --fidelities gives back (and nas race refuses
                // --epochs beside it).
                if (!(ladder && option == "--epochs"))
                    Number(fidelity[field], option);
        Number(settings["validationImages"], "--validation-images");
        Number(settings["latencyWarmup"], "--latency-warmup");
        Number(settings["latencyRepeats"], "--latency-repeats");
        if ((string?)settings["objective"] is { } objective && objective != "accuracy")
            arguments.AddRange(["--objective", objective]);
        if (settings["reference"] is JObject reference && reference.Count > 0)
            arguments.AddRange([
                "--reference",
                string.Join(
                    ",",
                    reference
                        .Properties()
                        .Select(p =>
                            $"{p.Name}={Convert.ToString(((JValue)p.Value).Value, CultureInfo.InvariantCulture)}"
                        )
                ),
            ]);
        return arguments;
    }

    /// <summary>
    /// The folders a race was given with <paramref name="option"/> (<c>--plugins</c> or <c>--scripts</c>), as its
    /// race-started line records them (<c>settings.plugins</c>, <c>settings.scripts</c>): none in a journal from before
    /// they were recorded. Each must still be a folder: one that is gone is refused, naming it, rather than running
    /// without what it provided.
    /// </summary>
    /// <param name="where">The race-started line, for errors (<c>FILE(LINE)</c>).</param>
    /// <param name="advice">What the user can do about a folder that is gone (the caller knows its own options).</param>
    public static IReadOnlyList<string> Folders(JObject started, string option, string where, string advice)
    {
        string field = option.TrimStart('-');
        if (started["settings"]?[field] is not JArray folders)
            return [];
        return folders
            .Select(entry =>
                entry.Type != JTokenType.String
                    ? throw new NasException(
                        $"{where}: race-started's settings.{field} holds {entry.ToString(Newtonsoft.Json.Formatting.None)}, not a folder path."
                    )
                : Directory.Exists((string)entry!) ? (string)entry!
                : throw new NasException(
                    $"{where}: the race loaded {option} {(string)entry!}, which is not a folder now: {advice}"
                )
            )
            .ToArray();
    }

    /// <summary><paramref name="arguments"/> (option, value pairs) without the pairs of <paramref name="options"/>.</summary>
    public static List<string> Without(IReadOnlyList<string> arguments, params string[] options)
    {
        var kept = new List<string>(arguments.Count);
        for (int i = 0; i < arguments.Count; i++)
            if (options.Contains(arguments[i]) && i + 1 < arguments.Count)
                i++;
            else
                kept.Add(arguments[i]);
        return kept;
    }
}
