using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// Which CSV column holds what, and whether accuracies are percentages. The defaults are the names `nas tabulate`
/// writes; another table is mapped by a sidecar file <c>TABLE.columns.json</c> or by
/// <c>--table-columns arch=NAME,validation=NAME,...</c> (options win over the sidecar).
/// </summary>
public sealed record TableColumns
{
    public string Architecture { get; init; } = "arch";
    public string Validation { get; init; } = "validation_accuracy";
    public string? Test { get; init; } = "test_accuracy";
    public string? Seconds { get; init; } = "train_seconds";
    public string? Parameters { get; init; } = "params";
    public string? Flops { get; init; } = "flops";

    /// <summary>Median forward latency in ms at batch 1 and 64 (<c>nas tabulate --latency</c> or <c>--add-latency</c>).</summary>
    public string? LatencyBatch1 { get; init; } = "latency_ms_b1";
    public string? LatencyBatch64 { get; init; } = "latency_ms_b64";

    /// <summary>Per-epoch validation accuracies, separated by ';'.</summary>
    public string? Curve { get; init; } = "validation_curve";

    /// <summary>Seconds from the start of training to the end of each epoch, separated by ';' (the cost of a rung).</summary>
    public string? SecondsCurve { get; init; } = "train_seconds_curve";

    /// <summary>Accuracies are in percent (0-100) and are divided by 100 on import.</summary>
    public bool Percent { get; init; }

    /// <summary>Keys mapped explicitly (sidecar or option): a missing column is then an error, not an absent metric.</summary>
    public IReadOnlySet<string> Given { get; init; } = new HashSet<string>();

    /// <summary>The keys of <c>--table-columns</c> and of the sidecar file.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "arch",
        "validation",
        "test",
        "seconds",
        "params",
        "flops",
        "latency1",
        "latency64",
        "curve",
        "seconds-curve",
        "percent",
    ];

    public static string SidecarPath(string table) => table + ".columns.json";

    /// <summary>The mapping for <paramref name="table"/>: defaults, then its sidecar file if any, then <paramref name="option"/>.</summary>
    public static TableColumns For(string table, string? option, bool? percent)
    {
        var columns = new TableColumns();
        string sidecar = SidecarPath(table);
        if (File.Exists(sidecar))
        {
            JObject json;
            try
            {
                json = JObject.Parse(File.ReadAllText(sidecar));
            }
            catch (JsonReaderException e)
            {
                throw new NasException($"{sidecar}({e.LineNumber},{e.LinePosition}): not valid JSON: {e.Message}");
            }
            foreach (var property in json.Properties())
                columns =
                    property.Name == "percent"
                        ? columns with
                        {
                            Percent =
                                property.Value.Type == JTokenType.Boolean
                                    ? (bool)property.Value
                                    : throw new NasException($"{sidecar}: \"percent\" must be true or false."),
                        }
                        : columns.With(
                            property.Name,
                            property.Value.Type == JTokenType.Null ? null : property.Value.ToString(),
                            sidecar
                        );
        }
        if (!string.IsNullOrWhiteSpace(option))
        {
            var given = new HashSet<string>(StringComparer.Ordinal);
            foreach (
                string pair in option.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            )
            {
                int equals = pair.IndexOf('=');
                if (equals <= 0)
                    throw new NasException(
                        $"--table-columns: '{pair}' is not KEY=COLUMN (keys: {string.Join(", ", Keys)})."
                    );
                string key = pair[..equals].Trim(),
                    value = pair[(equals + 1)..].Trim();
                // As --strategy refuses a knob given twice: the last would silently win.
                if (!given.Add(key))
                    throw new NasException($"--table-columns: '{key}' is given twice.");
                columns =
                    key == "percent"
                        ? columns with
                        {
                            Percent = value switch
                            {
                                "true" or "yes" or "1" => true,
                                "false" or "no" or "0" => false,
                                _ => throw new NasException(
                                    $"--table-columns: percent={value} is not true or false (true, yes, 1, false, no, 0)."
                                ),
                            },
                        }
                        : columns.With(key, value.Length == 0 ? null : value, "--table-columns");
            }
        }
        return percent is { } p ? columns with { Percent = p } : columns;
    }

    private TableColumns With(string key, string? column, string where) =>
        WithColumn(key, column, where) with
        {
            Given = new HashSet<string>(Given) { key },
        };

    private TableColumns WithColumn(string key, string? column, string where) =>
        key switch
        {
            "arch" => this with
            {
                Architecture = column ?? throw new NasException($"{where}: the arch column cannot be empty."),
            },
            "validation" => this with
            {
                Validation = column ?? throw new NasException($"{where}: the validation column cannot be empty."),
            },
            "test" => this with { Test = column },
            "seconds" => this with { Seconds = column },
            "params" => this with { Parameters = column },
            "flops" => this with { Flops = column },
            "latency1" => this with { LatencyBatch1 = column },
            "latency64" => this with { LatencyBatch64 = column },
            "curve" => this with { Curve = column },
            "seconds-curve" => this with { SecondsCurve = column },
            _ => throw new NasException($"{where}: unknown key '{key}'; keys are {string.Join(", ", Keys)}."),
        };
}
