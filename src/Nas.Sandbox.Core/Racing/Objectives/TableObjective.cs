using Nas.Sandbox.Core.Estimators.Tabular;

namespace Nas.Sandbox.Core.Racing.Objectives;

/// <summary>What a race's objective asks of a tabular benchmark: the columns it reads, and the worst cost in the table.</summary>
public static class TableObjective
{
    /// <summary>Refuses a table that lacks a column the objective needs, naming the table, the column and how to add it.</summary>
    public static void Require(RaceObjective objective, TabularTable table)
    {
        foreach (var metric in objective.Metrics)
        {
            var (key, column) = ColumnOf(metric, table.Columns);
            if (key is null || table.PresentKeys.Contains(key))
                continue;
            string hint = metric.IsLatency
                ? $"measure it with: nas tabulate --add-latency {table.Path} (same --channels/--cells as the table)"
                : $"map it with --table-columns {key}=NAME or {TableColumns.SidecarPath(Path.GetFileName(table.Path))}";
            throw new NasException(
                $"--objective {objective.Text} needs {metric.Name}, but table {table.Path} has no column "
                    + $"'{column ?? "(unmapped)"}' ({key}); {hint}."
            );
        }
    }

    /// <summary>The largest value of each cost of <paramref name="objective"/> over the table's rows, by metric name.</summary>
    public static IReadOnlyDictionary<string, double> WorstCosts(RaceObjective objective, TabularTable table)
    {
        var worst = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var metric in objective.Metrics.Where(m => m.IsCost))
        {
            var values = table
                .Rows.Select(r => metric.Read(TabularEstimator.MetricsOf(r)))
                .Where(v => v is not null)
                .Select(v => v!.Value)
                .ToArray();
            if (values.Length > 0)
                worst[metric.Name] = values.Max();
        }
        return worst;
    }

    private static (string? Key, string? Column) ColumnOf(ObjectiveMetric metric, TableColumns columns) =>
        metric.Name switch
        {
            "params" => ("params", columns.Parameters),
            "flops" => ("flops", columns.Flops),
            "latency1" => ("latency1", columns.LatencyBatch1),
            "latency64" => ("latency64", columns.LatencyBatch64),
            _ => (null, null), // accuracy: the validation column, which every table has
        };
}
